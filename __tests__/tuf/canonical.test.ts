import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  cloneJson,
  goFold,
  htmlEscape,
  parseJson,
} from '../../src/tuf/canonical.js';
import { goTime, parseExpires } from '../../src/tuf/time.js';

const text = (v: unknown): string => canonicalJson(v).toString('utf8');

describe('canonicalJson (notary-spec.md §3.1)', () => {
  it('sorts keys and writes no whitespace', () => {
    expect(text({ b: 1, a: [true, false, null], _type: 'x', A: { z: {}, y: [] } })).toBe(
      '{"A":{"y":[],"z":{}},"_type":"x","a":[true,false,null],"b":1}',
    );
  });

  it('sorts keys byte-wise on UTF-8, not by UTF-16 code units', () => {
    // U+FF5E is EF BD 9E in UTF-8; U+1F600 is F0 9F 98 80. UTF-16 puts the emoji (D83D…)
    // first; UTF-8 bytes put U+FF5E first.
    expect(text({ '😀': 1, '～': 2, é: 3, z: 4 })).toBe('{"z":4,"é":3,"～":2,"😀":1}');
  });

  it('escapes only quote and backslash; control characters and non-ASCII stay raw', () => {
    const out = canonicalJson({ s: 'a"b\\c\nd\te\u0001é<>&\u2028' });
    expect(out).toEqual(
      Buffer.concat([
        Buffer.from('{"s":"a\\"b\\\\c'),
        Buffer.from([0x0a]),
        Buffer.from('d'),
        Buffer.from([0x09]),
        Buffer.from('e'),
        Buffer.from([0x01]),
        Buffer.from('é<>&\u2028"}', 'utf8'),
      ]),
    );
  });

  it('writes integers, normalizes -0, and refuses fractions and unsafe integers', () => {
    expect(text([0, -0, 42, -7, 2 ** 53 - 1, 1e3])).toBe('[0,0,42,-7,9007199254740991,1000]');
    for (const bad of [1.5, 2 ** 53, NaN, Infinity]) {
      expect(() => canonicalJson({ v: bad })).toThrow(
        expect.objectContaining({ code: 'TUF_BAD_NUMBER' }),
      );
    }
  });

  it('leaves out undefined properties and refuses non-JSON values', () => {
    expect(text({ a: undefined, b: 1 })).toBe('{"b":1}');
    // A tag may be called "undefined"; it is an ordinary key.
    expect(text({ undefined: 1, a: undefined })).toBe('{"undefined":1}');
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
    );
    expect(() => canonicalJson([1n])).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
    );
  });

  it('names the value it cannot encode by its path, with the reason', () => {
    expect(() => canonicalJson({ a: [1, { b: 1.5 }] })).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_NUMBER',
        message: 'canonical JSON allows only integers up to 2^53, got 1.5 at $.a[1].b',
      }),
    );
    expect(() => canonicalJson({ signed: { when: new Date(0) } })).toThrow(
      expect.objectContaining({
        code: 'TUF_BAD_METADATA',
        message: 'canonical JSON cannot encode a object; pass plain JSON data at $.signed.when',
      }),
    );
    expect(() => canonicalJson(2 ** 60)).toThrow(
      expect.objectContaining({
        message: `canonical JSON allows only integers up to 2^53, got ${2 ** 60} at $`,
      }),
    );
  });

  it('passes on an error that is not about a value as it was thrown', () => {
    // The getter fails only once: the error is not the value's fault, and naming a path
    // (which reads the value again) must not be tried.
    const boom = new TypeError('getter failed');
    let reads = 0;
    const value = {
      get a(): number {
        if (reads++ === 0) throw boom;
        return 1;
      },
    };
    expect(() => canonicalJson(value)).toThrow(boom);
  });

  it('writes documents larger than its first chunk whole, wherever a chunk ends', () => {
    for (const n of [511, 512, 513, 1500, 70_000]) {
      const numbers = Array.from({ length: n }, (_, i) => i % 10);
      expect(text(numbers), `${n} numbers`).toBe(JSON.stringify(numbers));
      const strings = Array.from({ length: n }, (_, i) => 'x'.repeat(i % 7));
      expect(text(strings), `${n} strings`).toBe(JSON.stringify(strings));
      // Only single bytes: [ ] , written one by one up to and across each chunk's end.
      const empties = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? [[]] : []));
      expect(text(empties), `${n} empty lists`).toBe(JSON.stringify(empties));
    }
  });

  it('is the same for JSON.parse of its own output (stable under round trips)', () => {
    const v = { 'k"\u00e9': ['\\', { é: 'x' }], n: -1 };
    const once = canonicalJson(v);
    expect(canonicalJson(JSON.parse(once.toString('utf8')))).toEqual(once);
  });
});

describe('htmlEscape (§3.2)', () => {
  it('escapes < > & U+2028 U+2029 and nothing else', () => {
    const name = canonicalJson({ 'a&b<c>é': '\u2028\u2029"' });
    expect(htmlEscape(name).toString('utf8')).toBe(
      '{"a\\u0026b\\u003cc\\u003eé":"\\u2028\\u2029\\""}',
    );
  });

  it('escapes a byte wherever it is, the first two included', () => {
    for (const [input, out] of [
      ['<', '\\u003c'],
      ['"&"', '"\\u0026"'],
      ['"\u2028"', '"\\u2028"'],
      // All four lead bytes present, the first of them at index 1.
      ['"&<>\u2028"', '"\\u0026\\u003c\\u003e\\u2028"'],
    ]) {
      expect(htmlEscape(Buffer.from(input, 'utf8')).toString('utf8'), input).toBe(out);
    }
  });

  it('returns the input when there is nothing to escape', () => {
    const b = Buffer.from('{"é":"x"}');
    expect(htmlEscape(b)).toBe(b);
  });

  it('leaves other E2 80 xx sequences alone, and returns the input itself', () => {
    const b = Buffer.from('"\u2027\u202a\u2030"', 'utf8');
    expect(htmlEscape(b)).toBe(b);
  });

  it('escapes only E2 80 A8/A9: not E2 xx A8, nor 80 A8 after another lead byte', () => {
    // U+20A8 is E2 82 A8; U+1028 is E1 80 A8. The & makes the scan start before them.
    const b = Buffer.from('"&\u20a8\u1028\u2029"', 'utf8');
    expect(htmlEscape(b).toString('utf8')).toBe('"\\u0026\u20a8\u1028\\u2029"');
  });
});

describe('parseJson / cloneJson', () => {
  it('keeps a __proto__ key as an ordinary property', () => {
    const v = parseJson('{"targets":{"__proto__":{"length":1}}}') as {
      targets: Record<string, unknown>;
    };
    expect(Object.keys(v.targets)).toEqual(['__proto__']);
    expect(text(v)).toBe('{"targets":{"__proto__":{"length":1}}}');
    const c = cloneJson(v);
    c.targets['__proto__'] = { length: 2 };
    expect(text(c)).toBe('{"targets":{"__proto__":{"length":2}}}');
    expect(text(v)).toBe('{"targets":{"__proto__":{"length":1}}}');
  });
});

describe('parseJson refuses what Go and JSON.parse would read differently', () => {
  const dup = expect.objectContaining({
    code: 'TUF_BAD_METADATA',
    message: expect.stringContaining('twice') as unknown,
  }) as unknown;

  it('refuses a key twice in one object, at any depth and however it is escaped', () => {
    for (const json of [
      '{"targets":{},"targets":{}}',
      '{"a":[{"b":1,"c":{"x":1,"x":2}}]}',
      '{"t\\u0061rgets":1,"targets":2}',
      '{"a\\"b":1,"a\\u0022b":2}',
    ]) {
      expect(() => parseJson(json), json).toThrow(dup);
    }
  });

  it('names the key found twice, unescaped, not one that recurs in another object', () => {
    for (const [json, key] of [
      ['{"a":{"x":1,"z":[{"x":2}]},"b":{"x":1,"y":1,"y":2}}', 'y'],
      ['{"x":{"x":{}},"t\\u0061g":1,"tag":2}', 'tag'],
      ['[{"k":1},{"k":2,"j":0,"k":3}]', 'k'],
      // The first key found twice, not a later one.
      ['{"a":1,"a":2,"b":1,"b":2}', 'a'],
    ] as const) {
      expect(() => parseJson(json), json).toThrow(`the key "${key}" is in one object twice`);
    }
  });

  it('accepts the same key in different objects, and keys that only look alike', () => {
    expect(parseJson('{"a":{"x":1},"b":{"x":1},"c":[{"x":1},{"x":2}]}')).toBeTruthy();
    expect(parseJson('{"latest":1,"LATEST":2,"x\\\\":3,"x\\"":4}')).toBeTruthy();
    expect(parseJson('["a","a",{"a":"a"}]')).toBeTruthy();
  });
});

describe('goFold (Go encoding/json matches struct fields case-insensitively)', () => {
  it('folds ASCII case, the Kelvin sign to k and the long s to s', () => {
    expect(goFold('Targets')).toBe(goFold('targets'));
    expect(goFold('TARGETS')).toBe(goFold('targets'));
    expect(goFold('\u212aeys')).toBe(goFold('keys'));
    expect(goFold('delegation\u017f')).toBe(goFold('delegations'));
    expect(goFold('\u017figned')).toBe(goFold('signed'));
  });

  it('does not fold what Go does not: other letters and non-letters', () => {
    expect(goFold('_Type')).toBe(goFold('_type'));
    expect(goFold('-type')).not.toBe(goFold('_type'));
    expect(goFold('\u0130d')).not.toBe(goFold('id'));
    expect(goFold('t\u0131rgets')).not.toBe(goFold('targets'));
    expect(goFold('t\u00e1rgets')).not.toBe(goFold('targets'));
  });
});

describe('Go time text (§3.3)', () => {
  it('writes UTC whole seconds with Z', () => {
    expect(goTime(new Date(Date.UTC(2029, 10, 27, 16, 4, 24, 999)))).toBe('2029-11-27T16:04:24Z');
  });

  it('refuses years Go cannot write as RFC 3339', () => {
    expect(() => goTime(new Date(Date.UTC(10000, 0, 1)))).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
    );
    expect(() => goTime(new Date(NaN))).toThrow(
      expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
    );
  });

  it('reads RFC3339Nano with Z and offsets', () => {
    expect(parseExpires('2026-12-11T16:09:08.859609781Z').toISOString()).toBe(
      '2026-12-11T16:09:08.859Z',
    );
    expect(parseExpires('2116-07-03T17:56:36.027379879-05:00').toISOString()).toBe(
      '2116-07-03T22:56:36.027Z',
    );
    expect(parseExpires('2020-01-01T01:30:00+02:30').toISOString()).toBe(
      '2019-12-31T23:00:00.000Z',
    );
    expect(parseExpires('0001-01-01T00:00:00Z').getUTCFullYear()).toBe(1);
  });

  it('refuses malformed times', () => {
    for (const bad of [
      '2020-02-30T00:00:00Z',
      '2020-01-01 00:00:00Z',
      '2020-01-01T24:00:00Z',
      '',
    ]) {
      expect(() => parseExpires(bad)).toThrow(
        expect.objectContaining({ code: 'TUF_BAD_METADATA' }),
      );
    }
  });

  it('round-trips what goTime writes', () => {
    const d = new Date(Date.UTC(2031, 0, 2, 3, 4, 5));
    expect(parseExpires(goTime(d))).toEqual(d);
  });
});
