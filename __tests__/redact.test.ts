/**
 * The Redactor at the edges StrykerJS found untested: an empty secret is ignored (it would
 * split every character), a secret inside JSON is replaced in its escaped form with the
 * quotes around it kept, and a secret that holds a shorter one is replaced whole, whichever
 * was added first.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../src/redact.js';

describe('Redactor', () => {
  it('ignores an empty secret', () => {
    const r = new Redactor();
    r.add('');
    expect(r.redact('plain text')).toBe('plain text');
  });

  it('replaces a secret raw and JSON-escaped, leaving the JSON quotes in place', () => {
    const r = new Redactor();
    const secret = 'pa"ss\\wo\nrd';
    r.add(secret);
    expect(r.redact(`raw ${secret} json ${JSON.stringify({ p: secret })}`)).toBe(
      'raw *** json {"p":"***"}',
    );
  });

  it('replaces the longer of two overlapping secrets whole, whatever the order added', () => {
    for (const order of [
      ['abc', 'abcdef'],
      ['abcdef', 'abc'],
    ]) {
      const r = new Redactor();
      for (const s of order) r.add(s);
      expect(r.redact('x abcdef y abc z')).toBe('x *** y *** z');
    }
  });

  it('leaves text without secrets alone', () => {
    const r = new Redactor();
    r.add('hunter2');
    expect(r.redact('nothing here')).toBe('nothing here');
  });
});
