/**
 * One segment's or flag's scheduled removals: the query, the table, the timeline, the form, and
 * what the last change did to each context (a partial failure is data, shown per context).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ExpiringTarget, InstructionOutcome } from 'ld-expiring-targets';
import {
  flagPatchMutationOptions,
  flagTargetsQueryOptions,
  segmentPatchMutationOptions,
  segmentTargetsQueryOptions,
} from 'ld-expiring-targets/query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { ld, retryStore } from './client.ts';
import { errorMessage } from './messages.ts';
import { type Change, type Resource, describeResource, flagInstruction, flagRef, segmentInstruction, segmentRef } from './resource.ts';
import { ScheduleForm } from './ScheduleForm.tsx';
import { BROWSER_ZONE, formatInstant } from './time.ts';
import { Timeline } from './Timeline.tsx';

interface LastChange {
  outcomes: { contextKey: string; fate: InstructionOutcome<unknown>['fate']; message: string | undefined }[];
}

function useTargets(resource: Resource) {
  const segment = useQuery({ ...segmentTargetsQueryOptions(ld, segmentRef(resource)), enabled: resource.kind === 'segment' });
  const flag = useQuery({ ...flagTargetsQueryOptions(ld, flagRef(resource)), enabled: resource.kind === 'flag' });
  return resource.kind === 'segment' ? segment : flag;
}

export function TargetsPanel({ resource }: { resource: Resource }) {
  const query = useTargets(resource);
  const segmentPatch = useMutation(segmentPatchMutationOptions(ld));
  const flagPatch = useMutation(flagPatchMutationOptions(ld));
  const waiting = useSyncExternalStore(retryStore.subscribe, retryStore.get);
  const [rescheduling, setRescheduling] = useState<ExpiringTarget | undefined>(undefined);
  const [last, setLast] = useState<LastChange | undefined>(undefined);
  const [failure, setFailure] = useState<string | undefined>(undefined);
  const busy = segmentPatch.isPending || flagPatch.isPending;

  useEffect(() => {
    // The time to first render of the list, for the end-to-end test's figures.
    if (query.isSuccess && performance.getEntriesByName('list-rendered').length === 0) performance.mark('list-rendered');
  }, [query.isSuccess]);

  async function apply(changes: Change[]) {
    setFailure(undefined);
    setLast(undefined);
    try {
      const comment = `web-admin: ${changes[0]?.action} ${changes.map((c) => c.contextKey).join(', ')}`.slice(0, 200);
      const result =
        resource.kind === 'segment'
          ? await segmentPatch.mutateAsync({ ref: segmentRef(resource), instructions: changes.map(segmentInstruction), comment })
          : await flagPatch.mutateAsync({ ref: flagRef(resource), instructions: changes.map(flagInstruction), comment });
      setLast({ outcomes: result.outcomes.map((o, i) => ({ contextKey: changes[i]!.contextKey, fate: o.fate, message: o.message })) });
      if (result.ok) setRescheduling(undefined);
    } catch (error) {
      setFailure(errorMessage(error));
    }
  }

  const items = [...(query.data?.items ?? [])].sort((a, b) => a.expirationDate - b.expirationDate);
  return (
    <section className="panel" aria-labelledby="panel-title">
      <h2 id="panel-title">Scheduled removals: {describeResource(resource)}</h2>
      <div role="status" aria-live="polite" className="status">
        {waiting && (
          <p className="waiting" data-testid="waiting">
            {waiting.status === 429
              ? "LaunchDarkly's rate limit (429): "
              : `Attempt ${waiting.attempt} failed${waiting.status ? ` (${waiting.status})` : ''}: `}
            waiting {Math.ceil(waiting.delayMs / 1000)} s before retry {waiting.attempt}.
          </p>
        )}
        {query.isPending && query.fetchStatus !== 'idle' && <p>Loading…</p>}
      </div>
      {query.isError && (
        <p role="alert" className="error" data-testid="list-error">
          {errorMessage(query.error)}
        </p>
      )}
      {query.isSuccess && (
        <>
          <Timeline items={items} />
          <table>
            <caption>
              {items.length === 0
                ? 'No removals are scheduled.'
                : `${items.length} scheduled removal${items.length === 1 ? '' : 's'}, soonest first.`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Context kind</th>
                <th scope="col">Context key</th>
                <th scope="col">{resource.kind === 'segment' ? 'List' : 'Variation'}</th>
                <th scope="col">Removal ({BROWSER_ZONE})</th>
                <th scope="col">Removal (UTC)</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <tr key={`${t.contextKind}\u0000${t.contextKey}\u0000${t.targetType ?? t.variationId}`} data-context-key={t.contextKey}>
                  <td>{t.contextKind}</td>
                  <td className="key">{t.contextKey}</td>
                  <td>{t.targetType ?? t.variationId}</td>
                  <td>{formatInstant(t.expiresAt, BROWSER_ZONE)}</td>
                  <td>{formatInstant(t.expiresAt, 'UTC')}</td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={`Reschedule ${t.contextKey}`}
                      onClick={() => setRescheduling(t)}
                      disabled={busy}
                    >
                      Reschedule
                    </button>
                    <button
                      type="button"
                      aria-label={`Cancel removal of ${t.contextKey}`}
                      disabled={busy}
                      onClick={() =>
                        void apply([
                          {
                            action: 'remove',
                            contextKind: t.contextKind,
                            contextKey: t.contextKey,
                            targetType: t.targetType as 'included' | 'excluded',
                            variationId: t.variationId ?? '',
                          },
                        ])
                      }
                    >
                      Cancel removal
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <ScheduleForm
        key={rescheduling ? `r:${rescheduling.contextKey}` : 'add'}
        resource={resource}
        rescheduling={rescheduling}
        busy={busy}
        onSubmit={(changes) => void apply(changes)}
        onDone={() => setRescheduling(undefined)}
      />
      <section aria-live="polite" className="outcomes" data-testid="outcomes">
        {failure && (
          <p role="alert" className="error">
            {failure}
          </p>
        )}
        {last && (
          <>
            <h3>{last.outcomes.every((o) => o.fate === 'applied') ? 'Done' : 'Some changes did not apply'}</h3>
            <ul>
              {last.outcomes.map((o) => (
                <li key={o.contextKey} data-fate={o.fate}>
                  <span className="fate">{o.fate === 'applied' ? '✓ applied' : `✗ ${o.fate}`}</span>{' '}
                  <span className="key">{o.contextKey}</span>
                  {o.message ? `: ${o.message}` : ''}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </section>
  );
}
