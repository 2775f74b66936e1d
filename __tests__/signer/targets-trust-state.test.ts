/**
 * src/signer/targets.ts and src/signer/trust-state.ts at their edges, against the mutants
 * StrykerJS left alive: a target's digest (sha256 of 32 bytes only), what counts as the same
 * target (digest and size), a tag looked up as an own property only; a stored trust state
 * checked field by field, and merged so that no version and no root goes down.
 */
import { describe, expect, it } from 'vitest';
import { digestOf, lookup, sameTarget, toTargetFile } from '../../src/signer/targets.js';
import { isTrustState, neverLower } from '../../src/signer/trust-state.js';
import type { TargetsMeta } from '../../src/tuf/models.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';

const HEX = 'ab'.repeat(32);
const B64 = Buffer.from(HEX, 'hex').toString('base64');

describe('targets', () => {
  it('toTargetFile: the digest hex as base64 sha256, and the size', () => {
    expect(toTargetFile({ digest: `sha256:${HEX}`, size: 12 })).toEqual({
      hashes: { sha256: B64 },
      length: 12,
    });
  });

  it('digestOf: sha256 of exactly 32 bytes, else none', () => {
    expect(digestOf({ hashes: { sha256: B64 }, length: 1 })).toBe(`sha256:${HEX}`);
    expect(digestOf({ hashes: { sha512: B64 }, length: 1 })).toBeUndefined();
    const short = Buffer.alloc(31, 1).toString('base64');
    const long = Buffer.alloc(33, 1).toString('base64');
    expect(digestOf({ hashes: { sha256: short }, length: 1 })).toBeUndefined();
    expect(digestOf({ hashes: { sha256: long }, length: 1 })).toBeUndefined();
    expect(digestOf({ hashes: { sha256: 5 as unknown as string }, length: 1 })).toBeUndefined();
  });

  it('sameTarget: the same digest and the same size', () => {
    const t = { digest: `sha256:${HEX}`, size: 12 };
    expect(sameTarget({ hashes: { sha256: B64 }, length: 12 }, t)).toBe(true);
    expect(sameTarget({ hashes: { sha256: B64 }, length: 13 }, t)).toBe(false);
    expect(
      sameTarget(
        { hashes: { sha256: B64 }, length: 12 },
        { ...t, digest: `sha256:${'cd'.repeat(32)}` },
      ),
    ).toBe(false);
    expect(sameTarget(undefined, t)).toBe(false);
  });

  it('lookup: an own entry only', () => {
    const file = { hashes: { sha256: B64 }, length: 1 };
    const meta = { targets: { v1: file } } as unknown as TargetsMeta;
    expect(lookup(meta, 'v1')).toBe(file);
    expect(lookup(meta, 'v2')).toBeUndefined();
    expect(lookup(meta, 'toString')).toBeUndefined();
    expect(lookup(meta, '__proto__')).toBeUndefined();
    expect(lookup(undefined, 'v1')).toBeUndefined();
  });
});

describe('isTrustState', () => {
  const good = { gun: 'r.example.com/a', root: 'QUJD', versions: { root: 1, targets: 0 } };

  it('accepts a well-formed state', () => {
    expect(isTrustState(good)).toBe(true);
    expect(isTrustState({ ...good, root: 'QUI=' })).toBe(true);
    expect(isTrustState({ ...good, root: 'QQ==' })).toBe(true);
    expect(isTrustState({ ...good, versions: {} })).toBe(true);
  });

  it('refuses anything else, field by field', () => {
    for (const bad of [
      null,
      undefined,
      'state',
      3,
      { ...good, gun: '' },
      { ...good, gun: 5 },
      { ...good, root: 5 },
      { ...good, root: '' },
      { ...good, root: 'QU JD' },
      { ...good, root: 'x QUJD' },
      { ...good, root: 'QUJD x' },
      { ...good, root: 'QUJD===' },
      { ...good, root: 'QU=D' },
      { ...good, versions: null },
      { ...good, versions: 'v' },
      // a number has no own values, so only the type test refuses it
      { ...good, versions: 5 },
      { ...good, versions: [1] },
      { ...good, versions: { root: -1 } },
      { ...good, versions: { root: 1.5 } },
      { ...good, versions: { root: '1' } },
      { ...good, versions: { root: 1, targets: Number.MAX_SAFE_INTEGER + 1 } },
    ]) {
      expect(isTrustState(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('neverLower', () => {
  const state = (root: string, versions: Record<string, number>): TrustState => ({
    gun: 'r.example.com/a',
    root,
    versions,
  });

  it('nothing kept: the state as it is', () => {
    expect(neverLower(undefined, state('NEW', { root: 2, targets: 3 }))).toEqual({
      root: 'NEW',
      versions: { root: 2, targets: 3 },
    });
  });

  it('every role at its highest version, and the root of the higher root version', () => {
    const kept = state('OLD', { root: 3, targets: 1, snapshot: 9, 'targets/ci': 0 });
    expect(neverLower(kept, state('NEW', { root: 2, targets: 3, snapshot: 9 }))).toEqual({
      root: 'OLD',
      versions: { root: 3, targets: 3, snapshot: 9, 'targets/ci': 0 },
    });
  });

  it('an equal root version keeps this run’s root; a lower one too', () => {
    expect(neverLower(state('OLD', { root: 2 }), state('NEW', { root: 2 })).root).toBe('NEW');
    expect(neverLower(state('OLD', { root: 1 }), state('NEW', { root: 2 })).root).toBe('NEW');
    expect(neverLower(state('OLD', {}), state('NEW', {})).root).toBe('NEW');
    expect(neverLower(state('OLD', { root: 1 }), state('NEW', {})).root).toBe('OLD');
  });
});
