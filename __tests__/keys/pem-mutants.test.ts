/**
 * pem.ts at its edges, against the mutants StrykerJS left alive: BEGIN lines Go accepts and
 * refuses, header lines (colon inside a value, repeated names, spaces), the END line that must
 * match the type, base64 padding rules, block numbering in errors, line splitting on CR, LF
 * and CRLF, what is masked (body lines only), and the writer's layout without headers.
 */
import { describe, expect, it } from 'vitest';
import { encodePem, parsePem, pemBodyLines, textLines } from '../../src/keys/pem.js';
import { expectDctError } from './helpers.js';

const body = Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef').toString('base64');
const pem = (type: string, head = '', b = body) =>
  `-----BEGIN ${type}-----\n${head}${b}\n-----END ${type}-----\n`;

describe('parsePem edges', () => {
  it('BEGIN types: inner spaces yes; leading/trailing space, dashes or nothing no', () => {
    expect(parsePem(pem('EC PRIVATE KEY'))[0].type).toBe('EC PRIVATE KEY');
    expect(parsePem(pem('X'))[0].type).toBe('X');
    expect(parsePem(pem('A~!'))[0].type).toBe('A~!');
    for (const bad of [' X', 'X ', 'A-B', '', 'X\u00e9']) {
      expect(parsePem(pem(bad)), JSON.stringify(bad)).toEqual([]);
    }
    expect(parsePem(`x-----BEGIN X-----\n${body}\n-----END X-----\n`)).toEqual([]);
    expect(parsePem(`-----BEGIN X-----x\n${body}\n-----END X-----\n`)).toEqual([]);
  });

  it('headers: split at the first colon, trimmed, last value wins, first position kept', () => {
    const [b] = parsePem(pem('X', 'a: 1\n b :x:y \na: 2\n\n'));
    expect(b.headers).toEqual({ a: '2', b: 'x:y' });
    expect(b.headerOrder).toEqual(['a', 'b']);
    expect(b.der).toEqual(Buffer.from(body, 'base64'));
    // a header is a line with a colon that does not start with dashes, whatever it ends with
    const [d] = parsePem(pem('X', 'Comment: cut here-----\n\n'));
    expect(d.headers).toEqual({ Comment: 'cut here-----' });
    expect(d.der).toEqual(Buffer.from(body, 'base64'));
    // no headers at all, and no blank line
    const [c] = parsePem(pem('X'));
    expect(c.headers).toEqual({});
    expect(c.headerOrder).toEqual([]);
  });

  it('the END line must name the same type; another BEGIN or END inside is an error', () => {
    const err = expectDctError(
      () => parsePem(`-----BEGIN X-----\n${body}\n-----END Y-----\n`),
      'KEY_NOT_A_KEY',
    );
    expect(err.message).toBe('PEM block 1 (X) has no matching END line; paste the whole key file');
    expectDctError(() => parsePem(`-----BEGIN X-----\n${body}\n`), 'KEY_NOT_A_KEY');
    expectDctError(
      () => parsePem(`-----BEGIN X-----\n${body}\n-----BEGIN X-----\n${body}\n-----END X-----\n`),
      'KEY_NOT_A_KEY',
    );
    expectDctError(() => parsePem('-----BEGIN X-----'), 'KEY_NOT_A_KEY');
    // any line of dashes ends the body, even one that does not end in dashes
    expectDctError(
      () => parsePem(`-----BEGIN X-----\n${body}\n----- cut\n${body}\n-----END X-----\n`),
      'KEY_NOT_A_KEY',
    );
    // numbered by block
    const second = expectDctError(
      () => parsePem(pem('A') + `-----BEGIN B-----\n${body}\n`),
      'KEY_NOT_A_KEY',
    );
    expect(second.message).toBe(
      'PEM block 2 (B) has no matching END line; paste the whole key file',
    );
  });

  it('base64: padding only at the end, whole quads only; spaces inside lines are dropped', () => {
    for (const ok of ['QUJD', 'QUI=', 'QQ==', '', 'QU JD']) {
      expect(parsePem(pem('X', '', ok))[0].der, ok).toEqual(
        Buffer.from(ok.replace(/ /g, ''), 'base64'),
      );
    }
    for (const bad of ['QUJ', 'Q===', 'QQ=A', 'QUJDQ', 'QU=D', 'QUJD====', '*UJD']) {
      const err = expectDctError(() => parsePem(pem('X', '', bad)), 'KEY_BAD_BASE64');
      expect(err.message).toBe(
        'PEM block 1 (X) does not hold valid base64; paste the key file unchanged',
      );
    }
  });

  it('lines end in LF, CRLF or a lone CR, and are trimmed', () => {
    expect(textLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd']);
    expect(textLines('  a \t')).toEqual(['a']);
    const cr = pem('X').replace(/\n/g, '\r');
    expect(parsePem(cr)[0].der).toEqual(Buffer.from(body, 'base64'));
  });
});

describe('pemBodyLines', () => {
  it('only lines inside a block, not headers, blank lines or text around', () => {
    const text = `intro line\n${pem('X', 'role: targets\n\n', `${body.slice(0, 20)}\n${body.slice(20)}`)}after\n${pem('Y')}`;
    expect(pemBodyLines(text)).toEqual([body.slice(0, 20), body.slice(20), body]);
    expect(pemBodyLines('no pem here\n-----END X-----\nQUJD')).toEqual([]);
  });
});

describe('encodePem edges', () => {
  it('Proc-Type first, then the other headers in byte order, then a blank line', () => {
    const out = encodePem({
      type: 'X',
      headers: { b: '2', 'DEK-Info': 'x', a: '1', 'Proc-Type': '4,ENCRYPTED', C: '3' },
      der: Buffer.from('QUJD', 'base64'),
    });
    expect(out).toBe(
      '-----BEGIN X-----\nProc-Type: 4,ENCRYPTED\nC: 3\nDEK-Info: x\na: 1\nb: 2\n\nQUJD\n-----END X-----\n',
    );
  });

  it('no headers: no blank line; 64-character lines; an empty body', () => {
    const der = Buffer.alloc(48 * 2 + 3, 7);
    const out = encodePem({ type: 'X', headers: {}, der });
    const lines = out.split('\n');
    expect(lines[0]).toBe('-----BEGIN X-----');
    expect(lines[1]).toHaveLength(64);
    expect(lines[2]).toHaveLength(64);
    expect(lines[3]).toHaveLength(4);
    expect(lines[4]).toBe('-----END X-----');
    expect(lines[5]).toBe('');
    expect(encodePem({ type: 'X', headers: {}, der: Buffer.alloc(0) })).toBe(
      '-----BEGIN X-----\n-----END X-----\n',
    );
    expect(encodePem({ type: 'X', headers: { b: '1', a: '2' }, der: Buffer.alloc(0) })).toBe(
      '-----BEGIN X-----\na: 2\nb: 1\n\n-----END X-----\n',
    );
  });
});
