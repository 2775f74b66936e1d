/**
 * Which message verifySignatures checks (tuf/verify.ts): the message an envelope signed in
 * this process carries, else the literal message of a file written as Go writes it, else
 * canonical(JSON.parse(signed)); the Go-form fast path taken only at threshold, and never a
 * signature checked over nothing. Written against the mutants StrykerJS left alive (issue 14).
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

/** Every message a signature was checked over, and how often the slow path ran. */
const calls = vi.hoisted(() => ({ verified: [] as unknown[], derived: 0 }));

vi.mock('../../src/keys/sign.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/keys/sign.js')>();
  return {
    ...real,
    verifySignature: (...args: Parameters<typeof real.verifySignature>) => {
      calls.verified.push(args[2]);
      return real.verifySignature(...args);
    },
  };
});

vi.mock('../../src/tuf/envelope.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/tuf/envelope.js')>();
  return {
    ...real,
    signedMessage: (...args: Parameters<typeof real.signedMessage>) => {
      calls.derived++;
      return real.signedMessage(...args);
    },
  };
});

// The unit files share one module registry per worker (vitest.config.ts, isolate: false):
// the modules under test are loaded afresh here, after the mocks above.
vi.resetModules();
const { canonicalJson } = await import('../../src/tuf/canonical.js');
const { parseEnvelope, signEnvelope } = await import('../../src/tuf/envelope.js');
const { verifySignatures } = await import('../../src/tuf/verify.js');
const { newKey, oneKeyRole } = await import('./helpers/repo.js');
type TestKey = import('./helpers/repo.js').TestKey;

const signed = { _type: 'Targets', a: 1, n: 'a&b<c>' };
const asIs = (x: unknown) => x;

beforeEach(() => {
  calls.verified.length = 0;
  calls.derived = 0;
});

describe('the message an envelope signed here carries is the one checked', () => {
  let k: TestKey;
  let keys: Record<string, TestKey['tuf']>;
  let role: { keyids: string[]; threshold: number };
  beforeEach(() => ({ k, keys, role } = oneKeyRole()));

  it('a carried message the signatures do not cover fails, though the bytes would verify', () => {
    const env = signEnvelope(signed, [k.signer]);
    const other = { ...env, message: canonicalJson({ ...signed, a: 2 }) };
    expect(() => verifySignatures(env, 'targets', keys, role)).not.toThrow();
    expect(() => verifySignatures(other, 'targets', keys, role)).toThrow(
      expect.objectContaining({ code: 'TUF_SIGNATURE' }),
    );
    expect(calls.derived).toBe(0);
  });

  it('the carried message is checked even when the bytes are of another file', () => {
    const env = signEnvelope(signed, [k.signer]);
    const mixed = { ...env, bytes: signEnvelope({ ...signed, a: 2 }, []).bytes };
    expect(() => verifySignatures(mixed, 'targets', keys, role)).not.toThrow();
    expect(calls.verified).toEqual([env.message]);
  });
});

describe('a file as Go writes it is checked over its literal message', () => {
  let a: TestKey;
  let b: TestKey;
  let keys: Record<string, TestKey['tuf']>;
  beforeEach(() => {
    [a, b] = [newKey('ecdsa'), newKey('ed25519')];
    keys = { [a.id]: a.tuf, [b.id]: b.tuf };
  });

  it('at threshold: one check per signature, no canonical re-encoding', () => {
    const env = parseEnvelope(signEnvelope(signed, [a.signer]).bytes, 'targets', asIs);
    expect(env.message).toBeUndefined();
    verifySignatures(env, 'targets', keys, { keyids: [a.id], threshold: 1 });
    expect(calls.derived).toBe(0);
    expect(calls.verified).toHaveLength(1);
    expect(Buffer.from(calls.verified[0] as Buffer).equals(canonicalJson(signed))).toBe(true);
  });

  it('exactly at a threshold of two, the literal message still suffices', () => {
    const env = parseEnvelope(signEnvelope(signed, [a.signer, b.signer]).bytes, 'targets', asIs);
    verifySignatures(env, 'targets', keys, { keyids: [a.id, b.id], threshold: 2 });
    expect(calls.derived).toBe(0);
    expect(calls.verified).toHaveLength(2);
  });

  it('below threshold over the literal message, the message is derived again before refusing', () => {
    const env = parseEnvelope(signEnvelope(signed, [a.signer]).bytes, 'targets', asIs);
    expect(() =>
      verifySignatures(env, 'targets', keys, { keyids: [a.id, b.id], threshold: 2 }),
    ).toThrow(expect.objectContaining({ code: 'TUF_THRESHOLD' }));
    expect(calls.derived).toBe(1);
    expect(calls.verified).toHaveLength(2);
  });
});

describe('a file not as Go writes it', () => {
  it('is checked once per signature over canonical(signed), never over no message', () => {
    const k = newKey('ecdsa');
    const env = signEnvelope(signed, [k.signer]);
    const loose = Buffer.from(
      JSON.stringify({ signatures: env.signatures, signed }, null, 2),
      'utf8',
    );
    const parsed = parseEnvelope(loose, 'targets', asIs);
    verifySignatures(parsed, 'targets', { [k.id]: k.tuf }, { keyids: [k.id], threshold: 1 });
    expect(calls.derived).toBe(1);
    expect(calls.verified).toHaveLength(1);
    expect(Buffer.isBuffer(calls.verified[0])).toBe(true);
    expect((calls.verified[0] as Buffer).equals(canonicalJson(signed))).toBe(true);
  });
});
