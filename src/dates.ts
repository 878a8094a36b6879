// The one date module: `YYYY-MM-DD` or an ISO 8601 date-time, checked against the calendar, and
// turned into instants for comparison (manifest checks, plan diffs, the sandbox's validation).

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;

/** Undefined when valid; otherwise what is wrong with it, in words. */
export function checkDate(text: string): string | undefined {
  const m = DATE.exec(text) ?? DATE_TIME.exec(text);
  if (!m) return 'write it as YYYY-MM-DD, e.g. 2026-05-01, or as an ISO date-time';
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `there is no month ${m[2]}`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return `${m[1]}-${m[2]} has no day ${m[3]}`;
  if (m[4] !== undefined) {
    if (Number(m[4]) > 23 || Number(m[5]) > 59 || (m[6] !== undefined && Number(m[6]) > 59)) {
      return 'the time of day is out of range';
    }
  }
  return undefined;
}

/**
 * Milliseconds since the epoch for a date or date-time string, or undefined when unparseable.
 * A date-only value means midnight UTC of that day; a date-time without an offset is read as UTC
 * so that the same text always means the same instant whatever the runner's time zone.
 */
export function dateInstant(value: string): number | undefined {
  const s = value.trim();
  const d = DATE.exec(s);
  if (d) return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]));
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}/.test(s)) return undefined;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  const ms = Date.parse((hasZone ? s : `${s}Z`).replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether text is a valid calendar date or ISO date-time. */
export function isDate(text: string): boolean {
  return checkDate(text) === undefined;
}

/** Negative when a is before b. Both must pass checkDate. */
export function compareDates(a: string, b: string): number {
  return (dateInstant(a) ?? NaN) - (dateInstant(b) ?? NaN);
}
