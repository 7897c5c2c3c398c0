/** Wall-clock times in a chosen time zone, without a date library: Intl does the zone rules. */

/** The browser's own zone, such as Europe/Berlin. */
export const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Every zone the browser knows, its own and UTC first. */
export function zones(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([BROWSER_ZONE, 'UTC', ...all])];
}

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function formatIn(zone: string): Intl.DateTimeFormat {
  let f = partsFormat.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormat.set(zone, f);
  }
  return f;
}

/** How far `zone` is ahead of UTC at the instant `ms`, in ms. */
function offsetAt(ms: number, zone: string): number {
  const p = Object.fromEntries(
    formatIn(zone)
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a date (YYYY-MM-DD) and time (HH:MM) name in `zone`, or undefined if they are not
 * a date and a time. In a gap (a spring-forward hour) the time after the gap is taken.
 */
export function zonedToInstant(date: string, time: string, zone: string): Date | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return undefined;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  if (Number.isNaN(wall)) return undefined;
  let guess = wall - offsetAt(wall, zone);
  guess = wall - offsetAt(guess, zone);
  return new Date(guess);
}

/** The date and time an instant shows in `zone`, as the form's fields want them. */
export function instantToZoned(instant: Date, zone: string): { date: string; time: string } {
  const p = Object.fromEntries(
    formatIn(zone)
      .formatToParts(instant)
      .map((x) => [x.type, x.value]),
  );
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

const shown = new Map<string, Intl.DateTimeFormat>();
/** `Tue, 3 Dec 2030, 09:00 CET`: an instant as a person reads it in `zone`. */
export function formatInstant(instant: Date, zone: string): string {
  let f = shown.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZoneName: 'short',
    });
    shown.set(zone, f);
  }
  return f.format(instant);
}

/** The calendar day (YYYY-MM-DD) of an instant in `zone`. */
export function dayIn(instant: Date, zone: string): string {
  return instantToZoned(instant, zone).date;
}
