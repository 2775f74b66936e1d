/**
 * A hostile trust server: metadata changed, replayed or swapped on the way from the real
 * notary-server. Sign and verify refuse with the TUF code, say what was wrong, and a refused
 * sign publishes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signImages } from '../../src/signer/sign.js';
import { verifyImages } from '../../src/signer/verify.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { roleFile } from '../support/fault-proxy.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, type TrustedRepo } from '../support/notary-cli.js';
import { quietLog } from '../signer/flows.js';
import {
  expectAll,
  MemoryTrustStore,
  refusal,
  resetProxy,
  serverFiles,
  serverVersions,
  startBench,
  versionOf,
  withClient,
  withKeys,
  type Bench,
} from './helpers.js';

let bench: Bench;
let repoA: TrustedRepo;
let gunA: string;
let gunB: string;
const NAME = 'rel/tamper-a';

beforeAll(async () => {
  bench = await startBench();
  gunA = `${bench.sb.registry.host}/${NAME}`;
  gunB = `${bench.sb.registry.host}/rel/tamper-b`;
  [repoA] = await Promise.all([
    createTrustedRepo(bench.sb, gunA),
    createTrustedRepo(bench.sb, gunB),
  ]);
  // A signed tag, so the delegation files exist on the server.
  await pushImage(bench.sb, NAME, 'base', { seed: 'base' });
  await signA(['base'], { direct: true });
});
afterAll(async () => {
  await bench?.stop();
});
beforeEach(() => resetProxy(bench.proxy));

interface RunOpts {
  store?: MemoryTrustStore;
  /** Straight to notary-server, past the proxy. */
  direct?: boolean;
}

function conn(o: RunOpts) {
  return {
    trustServer: o.direct === true ? bench.sb.notary.url : bench.proxy.url,
    caPem: bench.sb.caPem,
    timeoutMs: 5_000,
    rootKeyIds: [],
    trustStore: o.store,
    log: quietLog(),
  };
}

function signA(tags: string[], o: RunOpts = {}) {
  return withKeys([repoA], (keys) =>
    signImages({ ...conn(o), images: tags.map((t) => `${gunA}:${t}`), keys, signers: [] }),
  );
}

function verifyA(tags: string[], o: RunOpts = {}) {
  return verifyImages({ ...conn(o), images: tags.map((t) => `${gunA}:${t}`), requiredSigners: [] });
}

/** Replaces what the server sends for `role` (by name or by checksum). */
function tamper(role: string, change: (original: Buffer) => Buffer): void {
  bench.proxy.rules.push({ match: roleFile(role), action: { kind: 'replace', body: change } });
}

/** Serves `bytes` for `role` whatever was asked (a replay of captured files). */
function replay(role: string, bytes: Buffer): void {
  bench.proxy.rules.push({
    match: roleFile(role),
    action: { kind: 'status', status: 200, body: bytes },
  });
}

function editJson(bytes: Buffer, edit: (doc: { signed: Record<string, unknown> }) => void): Buffer {
  const doc = JSON.parse(bytes.toString('utf8')) as { signed: Record<string, unknown> };
  edit(doc);
  return Buffer.from(JSON.stringify(doc));
}

/** A different base64 sha256 of the same length. */
function otherHash(b64: string): string {
  const raw = Buffer.from(b64, 'base64');
  raw[0] ^= 0xff;
  return raw.toString('base64');
}

/**
 * Sign (a new tag) and verify (the signed one) both refuse with `code` and `message`, and
 * the refused sign left every role version on the server as it was.
 */
async function expectRefused(code: string, message: RegExp, o: RunOpts = {}): Promise<void> {
  const tag = `t${Math.random().toString(36).slice(2, 8)}`;
  await pushImage(bench.sb, NAME, tag, { seed: tag });
  const before = await serverVersions(bench.sb, gunA);
  expectAll(await refusal(signA([tag], o)), code, message);
  expectAll(await refusal(verifyA(['base'], o)), code, message);
  expect(bench.proxy.log.filter((e) => e.method === 'POST')).toEqual([]);
  expect(await serverVersions(bench.sb, gunA)).toEqual(before);
}

describe('tampered metadata', () => {
  it('one changed byte in a delegation file (targets/releases) → TUF_HASH_MISMATCH', async () => {
    tamper('targets/releases', (b) => {
      const out = Buffer.from(b);
      out[Math.floor(out.length / 2)] ^= 0x01;
      return out;
    });
    await expectRefused(
      'TUF_HASH_MISMATCH',
      /^sha256 checksum for targets\/releases did not match: expected [0-9a-f]{64}; .*tampered/,
    );
  });

  it('a timestamp pointing at another snapshot (signature broken) → TUF_SIGNATURE', async () => {
    tamper('timestamp', (b) =>
      editJson(b, (d) => {
        const meta = d.signed.meta as Record<string, { hashes: Record<string, string> }>;
        meta.snapshot.hashes.sha256 = otherHash(meta.snapshot.hashes.sha256);
      }),
    );
    await expectRefused(
      'TUF_SIGNATURE',
      /^signature of key \w+ on timestamp is invalid .*tampered/,
    );
  });

  it('a snapshot listing other hashes → TUF_HASH_MISMATCH against the timestamp', async () => {
    tamper('snapshot', (b) =>
      editJson(b, (d) => {
        const meta = d.signed.meta as Record<string, { hashes: Record<string, string> }>;
        const rel = meta['targets/releases'];
        rel.hashes.sha256 = otherHash(rel.hashes.sha256);
      }),
    );
    await expectRefused('TUF_HASH_MISMATCH', /checksum for snapshot did not match/);
  });

  it('another repository’s root, no cache → TUF_ROOT_UNTRUSTED (certificate CN mismatch)', async () => {
    const rootB = (await serverFiles(bench.sb, gunB)).get('root')!;
    tamper('root', () => rootB);
    await expectRefused('TUF_ROOT_UNTRUSTED', new RegExp(`CN "${escape(gunB)}" does not match`));
  });

  it('another repository’s root against a cached root → TUF_ROOT_UNTRUSTED, not a rotation', async () => {
    const store = new MemoryTrustStore();
    await verifyA(['base'], { store });
    expect(store.states.get(gunA)?.root).toBeDefined();
    const rootB = (await serverFiles(bench.sb, gunB)).get('root')!;
    tamper('root', () => rootB);
    await expectRefused('TUF_ROOT_UNTRUSTED', new RegExp(`CN "${escape(gunB)}" does not match`), {
      store,
    });
  });
});

describe('replayed metadata', () => {
  const roles = ['timestamp', 'snapshot', 'targets', 'targets/releases', 'targets/ci'];
  let old: Map<string, Buffer>;
  let remembered: TrustState;

  beforeAll(async () => {
    // Capture the repository, then move it on with a run that remembers what it saw.
    old = await serverFiles(bench.sb, gunA);
    await pushImage(bench.sb, NAME, 'newer', { seed: 'newer' });
    const store = new MemoryTrustStore();
    await signA(['newer'], { store, direct: true });
    remembered = store.states.get(gunA)!;
    for (const role of roles) expect(remembered.versions[role]).toBeDefined();
    expect(remembered.versions['targets/releases']).toBeGreaterThan(
      versionOf(old.get('targets/releases')!),
    );
  });

  function replayOld(): void {
    for (const role of roles) replay(role, old.get(role)!);
  }

  /** A store holding what the newer run saw, less the versions of `forget`. */
  function storeWithout(forget: string[]): MemoryTrustStore {
    const store = new MemoryTrustStore();
    const versions = { ...remembered.versions };
    for (const role of forget) delete versions[role];
    store.states.set(gunA, { ...remembered, versions });
    return store;
  }

  it('an older, consistent set of files after a newer one was seen → TUF_ROLLBACK (timestamp)', async () => {
    replayOld();
    await expectRefused(
      'TUF_ROLLBACK',
      /^timestamp version \d+ is lower than current version \d+/,
      {
        store: storeWithout([]),
      },
    );
  });

  it('the snapshot check holds on its own → TUF_ROLLBACK (snapshot)', async () => {
    replayOld();
    await expectRefused('TUF_ROLLBACK', /^snapshot version \d+ is lower than current version \d+/, {
      store: storeWithout(['timestamp']),
    });
  });

  it('the delegation check holds on its own → TUF_ROLLBACK (targets/releases or targets/ci)', async () => {
    replayOld();
    await expectRefused(
      'TUF_ROLLBACK',
      /^targets\/(releases|ci) version \d+ is lower than current version \d+/,
      { store: storeWithout(['timestamp', 'snapshot']) },
    );
  });

  it('signing on a stale replay without a cache: the server refuses our versions, we name it stale', async () => {
    replayOld();
    const tag = `stale${Math.random().toString(36).slice(2, 6)}`;
    await pushImage(bench.sb, NAME, tag, { seed: tag });
    const before = await serverVersions(bench.sb, gunA);
    const [f] = await refusal(signA([tag]));
    expect(f).toMatchObject({ code: 'NOTARY_STALE' });
    expect(f.message).toMatch(/refused our update 3 times .*serves the same older metadata/);
    // Three POSTs, each refused as VERSION: no more, and nothing stored.
    expect(bench.proxy.log.filter((e) => e.method === 'POST')).toHaveLength(3);
    expect(await serverVersions(bench.sb, gunA)).toEqual(before);
  });

  it('without a cache the old files are only stale, and an old timestamp expires', async () => {
    // No state: the replay verifies (TUF cannot tell it from the real thing) …
    replayOld();
    const load = (now?: Date) =>
      withClient(
        bench.sb,
        gunA,
        (client) => loadTrustedRepo(client, { gun: gunA, now }),
        bench.proxy.url,
      );
    const repo = await load();
    expect(repo?.timestamp.bytes.equals(old.get('timestamp')!)).toBe(true);
    // … until the timestamp's expiry passes: notary-server gives it two weeks.
    const later = new Date(Date.now() + 15 * 24 * 3600 * 1000);
    await expect(load(later)).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^timestamp expired at .*re-signs it on demand/) as unknown,
    });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
