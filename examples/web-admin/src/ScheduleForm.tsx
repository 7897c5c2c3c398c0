/**
 * Schedule (one or more contexts) or reschedule (one) a removal at a date, a time and a time
 * zone; the instant is shown in the browser's zone and in UTC before it is sent.
 */
import type { ExpiringTarget } from 'ld-expiring-targets';
import { type FormEvent, useId, useMemo, useState } from 'react';
import type { Change, Resource } from './resource.ts';
import { BROWSER_ZONE, formatInstant, instantToZoned, zonedToInstant, zones } from './time.ts';

export interface ScheduleFormProps {
  resource: Resource;
  /** The target being rescheduled; undefined to schedule new ones. */
  rescheduling: ExpiringTarget | undefined;
  busy: boolean;
  onSubmit: (changes: Change[]) => void;
  onDone: () => void;
}

const inAWeek = () => instantToZoned(new Date(Date.now() + 7 * 24 * 60 * 60 * 1000), BROWSER_ZONE).date;

export function ScheduleForm({ resource, rescheduling, busy, onSubmit, onDone }: ScheduleFormProps) {
  const id = useId();
  const start = rescheduling ? instantToZoned(rescheduling.expiresAt, BROWSER_ZONE) : { date: inAWeek(), time: '12:00' };
  const [contextKind, setContextKind] = useState('user');
  const [contextKeys, setContextKeys] = useState('');
  const [targetType, setTargetType] = useState<'included' | 'excluded'>('included');
  const [variationId, setVariationId] = useState(resource.variations?.[0]?.id ?? '');
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [zone, setZone] = useState(BROWSER_ZONE);
  const allZones = useMemo(zones, []);
  const instant = zonedToInstant(date, time, zone);
  // Each context once: the outcomes are listed by key.
  const keys = [
    ...new Set(
      contextKeys
        .split(/[,\n]/)
        .map((k) => k.trim())
        .filter((k) => k !== ''),
    ),
  ];

  function submit(event: FormEvent) {
    event.preventDefault();
    if (instant === undefined) return;
    if (rescheduling) {
      const { contextKind: kind, contextKey, targetType: list, variationId: variation, _version } = rescheduling;
      onSubmit([
        {
          action: 'update',
          contextKind: kind,
          contextKey,
          targetType: list as 'included' | 'excluded',
          variationId: variation ?? '',
          expiresAt: instant,
          version: _version,
        },
      ]);
    } else {
      if (keys.length === 0) return;
      onSubmit(keys.map((contextKey) => ({ action: 'add', contextKind, contextKey, targetType, variationId, expiresAt: instant })));
    }
  }

  return (
    <form className="schedule" onSubmit={submit} aria-labelledby={`${id}-legend`}>
      <h2 id={`${id}-legend`}>{rescheduling ? `Reschedule the removal of ${rescheduling.contextKey}` : 'Schedule a removal'}</h2>
      {!rescheduling && (
        <div className="row">
          <label>
            Context kind
            <input value={contextKind} onChange={(e) => setContextKind(e.target.value)} required />
          </label>
          <label>
            Context keys <span className="hint">(several: separate with commas)</span>
            <input name="contextKeys" value={contextKeys} onChange={(e) => setContextKeys(e.target.value)} required autoComplete="off" />
          </label>
          {resource.kind === 'segment' ? (
            <label>
              List
              <select value={targetType} onChange={(e) => setTargetType(e.target.value as 'included' | 'excluded')}>
                <option value="included">included</option>
                <option value="excluded">excluded</option>
              </select>
            </label>
          ) : resource.variations?.length ? (
            <label>
              Variation
              <select value={variationId} onChange={(e) => setVariationId(e.target.value)}>
                {resource.variations.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.name} ({v.id})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              Variation id
              <input value={variationId} onChange={(e) => setVariationId(e.target.value)} required />
            </label>
          )}
        </div>
      )}
      <div className="row">
        <label>
          Date
          <input type="date" name="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label>
          Time
          <input type="time" name="time" value={time} onChange={(e) => setTime(e.target.value)} required />
        </label>
        <label>
          Time zone
          <select name="zone" value={zone} onChange={(e) => setZone(e.target.value)}>
            {allZones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="preview" data-testid="preview">
        {instant === undefined
          ? 'Choose a date and a time.'
          : `Removal at ${formatInstant(instant, BROWSER_ZONE)} in your zone, ${formatInstant(instant, 'UTC')}.`}
      </p>
      <div className="row">
        <button type="submit" disabled={busy || instant === undefined}>
          {rescheduling ? 'Reschedule' : 'Schedule removal'}
        </button>
        {rescheduling && (
          <button type="button" className="secondary" onClick={onDone}>
            Back to scheduling
          </button>
        )}
      </div>
    </form>
  );
}
