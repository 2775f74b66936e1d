/**
 * publishChange against a forged trust server (support/forged-notary.ts) serving repositories
 * whose keys the test holds: a snapshot role of two keys at threshold two, and a read-back
 * whose timestamp is not signed by the repository's timestamp key.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { connectRepo } from '../../src/signer/connect.js';
import { publishChange, type Change } from '../../src/signer/publish.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asSnapshot, asTargets, type TargetsMeta } from '../../src/tuf/models.js';
import { verifySignatures } from '../../src/tuf/verify.js';
import { roleKeys } from '../../src/tuf/models.js';
import { ForgedNotary, type Publish } from '../support/forged-notary.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { newKey, sha256b64, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

let forged: ForgedNotary;
let http: HttpClient;
let n = 0;
const rings: KeyRing[] = [];

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
beforeEach(() => {
  http = new HttpClient({ caPem: forged.pki.caPem, retries: 1, sleep: () => Promise.resolve() });
});
afterEach(async () => {
  await http.close();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.onPublish = undefined;
  forged.published.length = 0;
  for (const r of rings.splice(0)) r.dispose();
});

const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

/** Stores a publish as notary-server does: our snapshot when sent, else one it signs. */
function store(r: TestRepo): (p: Publish) => void {
  return (p) => {
    for (const [role, bytes] of p.files) {
      if (role !== 'snapshot') r.targets.set(role, parseEnvelope(bytes, role, asTargets));
    }
    const ours = p.files.get('snapshot');
    if (ours === undefined) {
      r.publish();
    } else {
      r.snapshot = parseEnvelope(ours, 'snapshot', asSnapshot);
      r.signTimestamp();
    }
    forged.serve(r);
  };
}

async function publish(
  r: TestRepo,
  keys: KeyRing,
  change: Change,
  trustStore = new MemoryTrustStore(),
) {
  const conn = await connectRepo(parseImageRef(`${r.gun}:x`), {
    trustServer: forged.origin,
    http,
    write: true,
  });
  return publishChange(
    { conn, keys, rootKeyIds: [], log: quietLog(), trustStore },
    () => change,
    (repo) => (repo.targetsFor('v1').length > 0 ? undefined : 'v1 is not there'),
  );
}

const addV1 = (signers: TestKey[]): Change => ({
  roles: [
    {
      role: 'targets',
      signers: signers.map((k) => k.signer),
      edit: (t: TargetsMeta) => void (t.targets['v1'] = target('v1')),
    },
  ],
});

/** A repository whose snapshot role lists two keys at threshold two. */
function snapshotAtTwo(): { r: TestRepo; second: TestKey } {
  const r = new TestRepo(`${forged.host}/team/app${++n}`, new Date());
  const second = newKey('ecdsa');
  r.moreSnapshotKeys = [second];
  r.snapshotThreshold = 2;
  r.signRoot(1);
  r.publish();
  forged.serve(r);
  forged.onPublish = store(r);
  return { r, second };
}

describe('the snapshot threshold when the client holds snapshot keys', () => {
  it('one of two snapshot keys: the snapshot is left to the server, not signed below threshold', async () => {
    const { r } = snapshotAtTwo();
    const files = await publish(r, ring(r.targetsKey, r.snapshotKey), addV1([r.targetsKey]));
    expect([...files.keys()]).toEqual(['targets']);
    expect([...forged.published[0].files.keys()]).toEqual(['targets']);
  });

  it('both snapshot keys: the snapshot is signed by both and meets the threshold', async () => {
    const { r, second } = snapshotAtTwo();
    const keys = ring(r.targetsKey, r.snapshotKey, second);
    const files = await publish(r, keys, addV1([r.targetsKey]));
    expect([...files.keys()]).toEqual(['targets', 'snapshot']);
    const sent = parseEnvelope(forged.published[0].files.get('snapshot')!, 'snapshot', asSnapshot);
    expect(sent.signatures.map((s) => s.keyid).sort()).toEqual(
      [r.snapshotKey.id, second.id].sort(),
    );
    expect(() =>
      verifySignatures(sent, 'snapshot', roleKeys(r.root.signed, 'snapshot').keys, {
        keyids: roleKeys(r.root.signed, 'snapshot').keyids,
        threshold: 2,
      }),
    ).not.toThrow();
  });

  it('re-signing the snapshot alone (refresh) with one of two keys → SNAPSHOT_KEY_MISSING, nothing sent', async () => {
    const { r } = snapshotAtTwo();
    await expect(
      publish(r, ring(r.snapshotKey), { roles: [], snapshot: true }),
    ).rejects.toMatchObject({
      code: 'SNAPSHOT_KEY_MISSING',
      message: `${r.gun}: the snapshot is to be re-signed but the keys given cannot sign it; nothing was published`,
    });
    expect(forged.published).toEqual([]);
  });
  it('a snapshot signed by keys root does not list is read back and never sent → PUBLISH_READBACK', async () => {
    const { r, second } = snapshotAtTwo();
    const stranger = newKey('ecdsa');
    const change = {
      ...addV1([r.targetsKey]),
      snapshotSigners: [r.snapshotKey, stranger].map((k) => k.signer),
    };
    await expect(publish(r, ring(r.targetsKey, second), change)).rejects.toMatchObject({
      code: 'PUBLISH_READBACK',
      message: expect.stringMatching(
        /^refusing to publish snapshot: read back as a client reads it, valid signatures did not meet threshold for snapshot .*; nothing was published$/,
      ) as unknown,
    });
    expect(forged.published).toEqual([]);
  });
});

describe('the read-back after a publish', () => {
  it('a timestamp not signed by the timestamp key never becomes the rollback floor in the cache', async () => {
    const r = new TestRepo(`${forged.host}/team/app${++n}`, new Date());
    forged.serve(r);
    forged.onPublish = (p) => {
      store(r)(p);
      // The server now answers with a timestamp of version 1000 over the right snapshot,
      // signed by a key root does not list.
      const real = r.timestampKey;
      r.timestampKey = newKey('ed25519');
      r.signTimestamp((t) => (t.version = 1000));
      r.timestampKey = real;
      forged.serve(r);
    };
    const trustStore = new MemoryTrustStore();
    await expect(
      publish(r, ring(r.targetsKey), addV1([r.targetsKey]), trustStore),
    ).rejects.toMatchObject({
      code: 'TUF_THRESHOLD',
      message: expect.stringMatching(
        /^valid signatures did not meet threshold for timestamp/,
      ) as unknown,
    });
    expect(forged.published).toHaveLength(1);
    // Nothing was remembered: the cache holds no state for the repository at all.
    expect([...trustStore.states.keys()]).toEqual([]);
  });
});
