import { describe, expect, it } from 'vitest';
import { encodePem, parsePem, pemBodyLines } from '../../src/keys/pem.js';
import { expectDctError, fixtureKey, fixtureText } from './helpers.js';

const targets = fixtureKey((k) => k.role === 'targets' && k.file.startsWith('trust-private/'));
const root = fixtureKey((k) => k.role === 'root' && k.file.startsWith('trust-private/'));

describe('parsePem', () => {
  it('reads notary key files: headers, order, body', () => {
    const text = fixtureText(targets.file);
    const [block] = parsePem(text);
    expect(block.type).toBe('ENCRYPTED PRIVATE KEY');
    expect(block.headers).toEqual({ gun: targets.gun, role: 'targets' });
    expect(block.headerOrder).toEqual(['gun', 'role']);
    const body = text.split('\n').filter((l) => /^[A-Za-z0-9+/=]+$/.test(l));
    expect(block.der.equals(Buffer.from(body.join(''), 'base64'))).toBe(true);
  });

  it('reads concatenated blocks with CRLF, no blank lines, indentation and text around', () => {
    const a = fixtureText(targets.file).trimEnd();
    const b = fixtureText(root.file).trimEnd();
    const joined = `some comment\r\n  ${a.replace(/\n/g, '\r\n  ')}\r\n${b}\ntrailing`;
    const blocks = parsePem(joined);
    expect(blocks.map((x) => x.headers.role)).toEqual(['targets', 'root']);
    expect(blocks[0].der.equals(parsePem(a)[0].der)).toBe(true);
    expect(blocks[1].der.equals(parsePem(b)[0].der)).toBe(true);
  });

  it('keeps Proc-Type first in headerOrder for legacy files', () => {
    const [block] = parsePem(fixtureText('legacy/ec-aes256.pem'));
    expect(block.headerOrder).toEqual(['Proc-Type', 'DEK-Info', 'role']);
    expect(block.headers['DEK-Info']).toMatch(/^AES-256-CBC,[0-9A-F]{32}$/);
  });

  it('finds the body lines to mask, and nothing else', () => {
    const text = fixtureText(targets.file);
    const lines = pemBodyLines(text);
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.join('')).toBe(parsePem(text)[0].der.toString('base64'));
    expect(lines.some((l) => l.includes('role') || l.includes('-----'))).toBe(false);
  });

  it('rejects a block cut short or with broken base64', () => {
    const text = fixtureText(targets.file);
    expectDctError(() => parsePem(text.replace(/-----END[^\n]*\n/, '')), 'KEY_NOT_A_KEY');
    const lines = text.split('\n');
    lines[4] = `${lines[4].slice(0, 10)}!${lines[4].slice(11)}`;
    expectDctError(() => parsePem(lines.join('\n')), 'KEY_BAD_BASE64', [lines[4]]);
  });
});

describe('encodePem', () => {
  it('writes notary files byte for byte (Go pem.Encode layout)', () => {
    for (const k of [targets, root]) {
      const text = fixtureText(k.file);
      expect(encodePem(parsePem(text)[0])).toBe(text);
    }
  });

  it('sorts headers but puts Proc-Type first, like Go', () => {
    const out = encodePem({
      type: 'X',
      headers: { role: 'r', 'DEK-Info': 'd', 'Proc-Type': '4,ENCRYPTED', gun: 'g' },
      der: Buffer.alloc(100, 1),
    });
    expect(out.split('\n').slice(0, 6)).toEqual([
      '-----BEGIN X-----',
      'Proc-Type: 4,ENCRYPTED',
      'DEK-Info: d',
      'gun: g',
      'role: r',
      '',
    ]);
    expect(out.split('\n')[6].length).toBe(64);
  });
});
