// Dates in manifests: `YYYY-MM-DD` or an ISO 8601 date-time, checked against the calendar.

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

function toMillis(text: string): number {
  // A bare date compares as midnight UTC, so "2026-05-01" equals "2026-05-01T00:00:00Z".
  return DATE.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text);
}

/** Negative when a is before b. Both must pass checkDate. */
export function compareDates(a: string, b: string): number {
  return toMillis(a) - toMillis(b);
}
