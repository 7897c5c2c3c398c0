/**
 * Removals per day as an SVG bar chart. Every bar carries its count and its date as text, and the
 * same facts are in the chart's description, so it reads without colour and without sight.
 */
import type { ExpiringTarget } from 'ld-expiring-targets';
import { useId } from 'react';
import { BROWSER_ZONE, dayIn } from './time.ts';

const MAX_DAYS = 31;
const DAY_MS = 24 * 60 * 60 * 1000;
const BAR_W = 28;
const GAP = 8;
const CHART_H = 120;

function daysBetween(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`) && days.length < MAX_DAYS; t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

const label = (day: string) =>
  new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

export function Timeline({ items }: { items: ExpiringTarget[] }) {
  const titleId = useId();
  const descId = useId();
  if (items.length === 0) return null;
  const perDay = new Map<string, number>();
  for (const t of items) perDay.set(dayIn(t.expiresAt, BROWSER_ZONE), (perDay.get(dayIn(t.expiresAt, BROWSER_ZONE)) ?? 0) + 1);
  const sorted = [...perDay.keys()].sort();
  const days = daysBetween(sorted[0]!, sorted.at(-1)!);
  const shown = days.reduce((n, d) => n + (perDay.get(d) ?? 0), 0);
  const max = Math.max(...perDay.values());
  const width = days.length * (BAR_W + GAP) + GAP;
  const description = days
    .filter((d) => perDay.has(d))
    .map((d) => `${label(d)}: ${perDay.get(d)} removal${perDay.get(d) === 1 ? '' : 's'}`)
    .join('; ');
  return (
    <figure className="timeline">
      <svg role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={`0 0 ${width} ${CHART_H + 40}`} width={width} height={CHART_H + 40}>
        <title id={titleId}>Removals per day ({BROWSER_ZONE})</title>
        <desc id={descId}>{description}</desc>
        <line x1={0} x2={width} y1={CHART_H} y2={CHART_H} stroke="#222" />
        {days.map((day, i) => {
          const count = perDay.get(day) ?? 0;
          const h = count === 0 ? 0 : Math.max(6, (count / max) * (CHART_H - 24));
          const x = GAP + i * (BAR_W + GAP);
          return (
            <g key={day} data-day={day} data-count={count}>
              {count > 0 && <rect x={x} y={CHART_H - h} width={BAR_W} height={h} fill="#1a4d8f" stroke="#000" />}
              {count > 0 && (
                <text x={x + BAR_W / 2} y={CHART_H - h - 6} textAnchor="middle" fontSize={13} fill="#111">
                  {count}
                </text>
              )}
              <text x={x + BAR_W / 2} y={CHART_H + 16} textAnchor="middle" fontSize={10} fill="#111">
                {label(day).split(' ')[0]}
              </text>
              <text x={x + BAR_W / 2} y={CHART_H + 30} textAnchor="middle" fontSize={10} fill="#111">
                {label(day).split(' ')[1]}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>
        Removals per day in your time zone ({BROWSER_ZONE}).
        {shown < items.length && ` ${items.length - shown} later removal(s) are beyond the ${MAX_DAYS} days shown.`}
      </figcaption>
    </figure>
  );
}
