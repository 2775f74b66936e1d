/**
 * Go time text (tuf/time.ts) at its edges: the first and last years Go writes, fractions of
 * one to nine digits, every field at its largest valid value and one past it, offsets at
 * their bounds and in both directions, and anything around the time refused. Expiry checks
 * stand on these. Written against the mutants StrykerJS left alive (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { addDays, goTime, parseExpires } from '../../src/tuf/time.js';

const utc = (year: number, ms = 0): Date => {
  const d = new Date(Date.UTC(2000, 0, 1, 0, 0, 0, ms));
  d.setUTCFullYear(year);
  return d;
};

const iso = (s: string) => parseExpires(s).toISOString();

describe('goTime', () => {
  it('writes years 0 and 9999, and nothing before or after', () => {
    expect(goTime(utc(0))).toBe('0000-01-01T00:00:00Z');
    expect(goTime(utc(9999, 999))).toBe('9999-01-01T00:00:00Z');
    for (const d of [utc(-1), utc(10000), new Date(Number.POSITIVE_INFINITY)]) {
      expect(() => goTime(d)).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_METADATA',
          message: expect.stringMatching(
            /^cannot write .* as a Go time \(year 0-9999\)$/,
          ) as unknown,
        }),
      );
    }
  });

  it('drops the milliseconds, whatever they are', () => {
    expect(goTime(new Date('2030-01-02T03:04:05.000Z'))).toBe('2030-01-02T03:04:05Z');
    expect(goTime(new Date('2030-01-02T03:04:05.120Z'))).toBe('2030-01-02T03:04:05Z');
  });
});

describe('parseExpires', () => {
  it('reads a fraction of any length from 1 to 9 digits as milliseconds', () => {
    expect(iso('2030-01-02T03:04:05.5Z')).toBe('2030-01-02T03:04:05.500Z');
    expect(iso('2030-01-02T03:04:05.12Z')).toBe('2030-01-02T03:04:05.120Z');
    expect(iso('2030-01-02T03:04:05.1234Z')).toBe('2030-01-02T03:04:05.123Z');
    expect(iso('2030-01-02T03:04:05.999999999Z')).toBe('2030-01-02T03:04:05.999Z');
    expect(iso('2030-01-02T03:04:05Z')).toBe('2030-01-02T03:04:05.000Z');
  });

  it('keeps years 0-99 as they are written', () => {
    expect(iso('0099-12-31T23:59:59Z')).toBe('0099-12-31T23:59:59.000Z');
    expect(parseExpires('0000-03-01T00:00:00Z').getUTCFullYear()).toBe(0);
  });

  it('takes every field at its largest valid value', () => {
    expect(iso('2030-12-31T23:59:59Z')).toBe('2030-12-31T23:59:59.000Z');
    expect(iso('2024-02-29T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(iso('2030-01-01T00:00:00+23:59')).toBe('2029-12-31T00:01:00.000Z');
    expect(iso('2030-01-01T00:00:00-23:59')).toBe('2030-01-01T23:59:00.000Z');
    expect(iso('2030-01-01T00:00:00+00:00')).toBe('2030-01-01T00:00:00.000Z');
    expect(iso('2030-01-01T00:00:00-00:30')).toBe('2030-01-01T00:30:00.000Z');
  });

  it('refuses any field one past its largest value', () => {
    for (const bad of [
      '2030-13-01T00:00:00Z',
      '2030-00-01T00:00:00Z',
      '2030-04-31T00:00:00Z',
      '2030-01-00T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2030-01-01T24:00:00Z',
      '2030-01-01T00:60:00Z',
      '2030-01-01T00:00:60Z',
      '2030-01-01T00:00:00+24:00',
      '2030-01-01T00:00:00-00:60',
    ]) {
      expect(() => parseExpires(bad), bad).toThrow(
        expect.objectContaining({
          code: 'TUF_BAD_METADATA',
          message: `"${bad}" is not an RFC 3339 time; the metadata is malformed`,
        }),
      );
    }
  });

  it('refuses anything around or inside the time that RFC 3339 does not allow', () => {
    for (const bad of [
      ' 2030-01-01T00:00:00Z',
      '2030-01-01T00:00:00Z ',
      'x2030-01-01T00:00:00Z',
      '2030-01-01T00:00:00Zx',
      '2030-01-01T00:00:00',
      '2030-01-01T00:00:00.Z',
      '2030-01-01T00:00:00.1234567890Z',
      '2030-01-01T00:00:00+0100',
      '2030-01-01T00:00:00+1:00',
      '2030-01-01T00:00:00*01:00',
      '2030-01-01T0:00:00Z',
      '2030-1-01T00:00:00Z',
      '30-01-01T00:00:00Z',
      '20300-01-01T00:00:00Z',
      '2030-01-01t00:00:00Z',
      '2030-01-01T00:00:00z',
      '2030-01-01T00:00:0aZ',
    ]) {
      expect(() => parseExpires(bad), bad).toThrow(
        expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
      );
    }
  });

  it('names at most the first 40 characters of what it refuses', () => {
    const long = `${'9'.repeat(50)}`;
    expect(() => parseExpires(long)).toThrow(
      `"${'9'.repeat(40)}" is not an RFC 3339 time; the metadata is malformed`,
    );
  });
});

describe('addDays', () => {
  it('adds whole days of 24 hours, forward and back', () => {
    const now = new Date('2030-03-30T12:00:00.250Z');
    expect(addDays(now, 1).toISOString()).toBe('2030-03-31T12:00:00.250Z');
    expect(addDays(now, -1).toISOString()).toBe('2030-03-29T12:00:00.250Z');
    expect(addDays(now, 0).getTime()).toBe(now.getTime());
  });
});
