import { describe, expect, it } from 'vitest';
import { formatInspectJson, formatTable, naturalLess } from '../../src/signer/inspect.js';

describe('naturalLess (docker sorts tags and signers with it)', () => {
  const sorted = (list: string[]): string[] =>
    [...list].sort((a, b) => (naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0));

  it('compares digit runs by value, the rest bytewise', () => {
    expect(sorted(['10', '2', '1', 'admin', 'v1.10', 'v1.9', 'B', 'a'])).toEqual([
      '1',
      '2',
      '10',
      'B',
      'a',
      'admin',
      'v1.9',
      'v1.10',
    ]);
  });

  it('orders fewer leading zeros first, a digit before a letter, a prefix first', () => {
    expect(naturalLess('2', '02')).toBe(true);
    expect(naturalLess('02', '2')).toBe(false);
    expect(naturalLess('ab1', 'abc1')).toBe(true);
    expect(naturalLess('abc', 'abc1')).toBe(true);
    expect(naturalLess('x', 'x')).toBe(false);
  });
});

describe('formatTable (Go tabwriter: min width 10, padding 3)', () => {
  it('pads every column but the last', () => {
    expect(
      formatTable([
        ['SIGNER', 'KEYS'],
        ['a-long-signer', 'k1'],
      ]),
    ).toBe('SIGNER          KEYS\na-long-signer   k1\n');
    expect(formatTable([['A', 'B', 'C']])).toBe('A         B         C\n');
  });
});

describe('formatInspectJson', () => {
  it("indents by four spaces and escapes HTML as Go's encoder does", () => {
    expect(formatInspectJson([])).toBe('[]\n');
    expect(formatInspectJson([{ Name: 'a<b>&', SignedTags: [] }])).toBe(
      '[\n    {\n        "Name": "a\\u003cb\\u003e\\u0026",\n        "SignedTags": []\n    }\n]\n',
    );
  });
});
