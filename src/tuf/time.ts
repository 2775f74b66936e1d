/** Go `time.Time` text as notary writes and reads it (notary-spec.md §3.3). */
import { DctError } from '../errors.js';

/**
 * `2029-11-27T16:04:24Z`: UTC, whole seconds, no `.000` and no `+00:00`, which is what Go
 * re-serializes to byte for byte (a JS `toISOString()` breaks the server's snapshot hashes).
 */
export function goTime(d: Date): string {
  const ms = d.getTime();
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || year < 0 || year > 9999) {
    throw new DctError('TUF_BAD_METADATA', `cannot write ${String(d)} as a Go time (year 0-9999)`);
  }
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses Go RFC3339Nano (`2116-07-03T17:56:36.027379879-05:00`, `...Z`). Digits beyond
 * milliseconds are dropped, so keep the original string if it must be written again.
 */
export function parseExpires(s: string): Date {
  const m = RFC3339.exec(s);
  if (m === null) throw badTime(s);
  const [, y, mo, d, h, mi, sec, frac = '', zone] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  // Date.UTC maps years 0-99 to 1900-1999; put the year back.
  const date = new Date(t);
  date.setUTCFullYear(Number(y));
  t = date.getTime();
  if (
    date.getUTCMonth() !== Number(mo) - 1 ||
    date.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(sec) > 59
  ) {
    throw badTime(s);
  }
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const [zh, zm] = zone.slice(1).split(':').map(Number) as [number, number];
    if (zh > 23 || zm > 59) throw badTime(s);
    t -= sign * (zh * 60 + zm) * 60_000;
  }
  return new Date(t);
}

function badTime(s: string): DctError {
  return new DctError(
    'TUF_BAD_METADATA',
    `"${s.slice(0, 40)}" is not an RFC 3339 time; the metadata is malformed`,
  );
}

/** `now` plus whole days, as Go's `time.Add(n*24h)`: the defaults are 3×365 and 10×365 days. */
export function addDays(now: Date, days: number): Date {
  return new Date(now.getTime() + days * 86_400_000);
}
