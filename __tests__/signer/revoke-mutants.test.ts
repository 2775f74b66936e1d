/**
 * src/signer/revoke.ts end to end against a forged trust server (support/forged-notary.ts),
 * against the mutants StrykerJS left alive: what a revoked tag reports and logs, the roles
 * it leaves, a tag in no role the keys may sign, a target without a sha256, a race in which
 * another signer removes the tag from one role first (or from every role, or drops a role),
 * a delegation without a file, the repository key alone (and the warning it gets), a server
 * that never keeps the change, and the token scope asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImagesError } from '../../src/errors.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { revokeImages } from '../../src/signer/revoke.js';
import type { TagTarget } from '../../src/signer/targets.js';
import type { RevokeOptions } from '../../src/signer/types.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets, targetFile, type TargetsMeta } from '../../src/tuf/models.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { newKey, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

let forged: ForgedNotary;
let n = 0;
const rings: KeyRing[] = [];

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.onPublish = undefined;
  forged.published.length = 0;
  for (const r of rings.splice(0)) r.dispose();
});

const V1: TagTarget = { digest: `sha256:${'1'.repeat(64)}`, size: 501 };
const V2: TagTarget = { digest: `sha256:${'2'.repeat(64)}`, size: 502 };
const file = (t: TagTarget) => targetFile(t.digest.slice('sha256:'.length), t.size);

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

/** targets/releases and targets/ci keyed to `ci`, both holding v1 and v2; targets/qa apart. */
function served() {
  const r = new TestRepo(`${forged.host}/team/revoke${++n}`, new Date());
  const ci = newKey('ecdsa');
  r.delegate('targets', 'targets/releases', { keys: [ci] });
  r.delegate('targets', 'targets/ci', { keys: [ci] });
  r.delegate('targets', 'targets/qa', { keys: [newKey('ecdsa')] });
  for (const role of ['targets/releases', 'targets/ci', 'targets/qa']) {
    r.setTargets(role, (t) => {
      t.targets['v1'] = file(V1);
      t.targets['v2'] = file(V2);
    });
  }
  r.publish();
  forged.serve(r);
  forged.storeInto(r);
  return { r, ci };
}

/**
 * Another writer publishes `edit` of the repository just before this run's first POST, which
 * the server then refuses as an old version (so the run plans again on what is there now).
 */
function anotherWriterFirst(r: TestRepo, edit: () => void): void {
  let raced = false;
  forged.intercept = (req, res) => {
    if (raced || req.method !== 'POST') return false;
    raced = true;
    edit();
    r.publish();
    forged.serve(r);
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'VERSION', message: 'version', detail: {} }] }));
    return true;
  };
}

function opts(images: string[], keys: KeyRing, more: Partial<RevokeOptions> = {}) {
  const log = quietLog();
  return {
    log,
    opts: {
      images,
      keys,
      signers: [],
      rootKeyIds: [],
      trustServer: forged.origin,
      caPem: forged.pki.caPem,
      log,
      ...more,
    } satisfies RevokeOptions,
  };
}

async function failures(run: Promise<unknown>) {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the run should have failed').toBeInstanceOf(ImagesError);
  return (err as ImagesError).failures;
}

const sent = (role: string, i = 0): TargetsMeta =>
  parseEnvelope(forged.published[i].files.get(role)!, role, asTargets).signed;

describe('revokeImages', () => {
  it('removes the tag from every role the keys sign, reporting what it was signed as', async () => {
    const { r, ci } = served();
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const store = new MemoryTrustStore();
    expect(await revokeImages({ ...o, trustStore: store })).toEqual([
      {
        image: `${r.gun}:v1`,
        gun: r.gun,
        tag: 'v1',
        digest: V1.digest,
        size: V1.size,
        roles: ['targets/releases', 'targets/ci'],
      },
    ]);
    expect(log.lines).toContain(
      `revoked ${r.gun}:v1 (${V1.digest}) from targets/releases, targets/ci`,
    );
    expect([...forged.published[0].files.keys()].sort()).toEqual([
      'targets/ci',
      'targets/releases',
    ]);
    expect(Object.keys(sent('targets/releases').targets)).toEqual(['v2']);
    expect(Object.keys(sent('targets/ci').targets)).toEqual(['v2']);
    expect(store.states.get(r.gun)?.versions).toMatchObject({ 'targets/ci': 2 });
  });

  it('two tags in one publish', async () => {
    const { r, ci } = served();
    const done = await revokeImages(opts([`${r.gun}:v1`, `${r.gun}:v2`], ring(ci)).opts);
    expect(done.map((d) => [d.tag, d.digest, d.roles])).toEqual([
      ['v1', V1.digest, ['targets/releases', 'targets/ci']],
      ['v2', V2.digest, ['targets/releases', 'targets/ci']],
    ]);
    expect(forged.published).toHaveLength(1);
    expect(Object.keys(sent('targets/ci').targets)).toEqual([]);
  });

  it('only the roles that hold the tag are edited and reported', async () => {
    const { r, ci } = served();
    r.setTargets('targets/releases', (t) => void delete t.targets['v1']);
    r.publish();
    forged.serve(r);
    const [done] = await revokeImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(done.roles).toEqual(['targets/ci']);
    expect([...forged.published[0].files.keys()]).toEqual(['targets/ci']);
  });

  it('a tag in no role the keys may sign → NOT_SIGNED, nothing published', async () => {
    const { r, ci } = served();
    const got = await failures(revokeImages(opts([`${r.gun}:v1`, `${r.gun}:v9`], ring(ci)).opts));
    expect(got).toEqual([
      {
        image: `${r.gun}:v9`,
        code: 'NOT_SIGNED',
        message: 'no signed tag to remove: v9 is in no role the keys may sign',
      },
      expect.objectContaining({ image: `${r.gun}:v1`, code: 'NOT_PUBLISHED' }) as unknown,
    ]);
    expect(forged.published).toEqual([]);
  });

  it('a target without a sha256 is reported with an unknown digest', async () => {
    const { r, ci } = served();
    r.setTargets('targets/releases', (t) => {
      t.targets['v3'] = { hashes: { sha512: 'AAAA' }, length: 7 };
    });
    r.publish();
    forged.serve(r);
    const [done] = await revokeImages(opts([`${r.gun}:v3`], ring(ci)).opts);
    expect(done).toMatchObject({ digest: 'unknown', size: 7, roles: ['targets/releases'] });
  });

  it('another signer removes it from one role first: both roles are still reported', async () => {
    const { r, ci } = served();
    anotherWriterFirst(r, () => {
      // The other signer's publish lands first: v1 leaves targets/ci.
      r.setTargets('targets/ci', (t) => void delete t.targets['v1']);
    });
    const [done] = await revokeImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(done.roles).toEqual(['targets/releases', 'targets/ci']);
    expect([...forged.published[0].files.keys()]).toEqual(['targets/releases']);
  });

  it('another signer removes it from every role first: nothing left to send, both reported', async () => {
    const { r, ci } = served();
    anotherWriterFirst(r, () => {
      // The other signer's revoke lands first: v1 leaves both roles.
      for (const role of ['targets/releases', 'targets/ci']) {
        r.setTargets(role, (t) => void delete t.targets['v1']);
      }
    });
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [done] = await revokeImages(o);
    expect(done).toMatchObject({ digest: V1.digest, roles: ['targets/releases', 'targets/ci'] });
    // The read after the conflict already shows the change: no second publish.
    expect(forged.published).toEqual([]);
    expect(log.lines).toContain(
      `revoked ${r.gun}:v1 (${V1.digest}) from targets/releases, targets/ci`,
    );
  });

  it('a role removed meanwhile is not looked up again: the revoke is confirmed', async () => {
    const { r, ci } = served();
    anotherWriterFirst(r, () => {
      // An admin drops targets/ci altogether and another signer revokes v1 from releases.
      r.setTargets('targets', (t) => {
        t.delegations.roles = t.delegations.roles.filter((d) => d.name !== 'targets/ci');
      });
      r.targets.delete('targets/ci');
      r.setTargets('targets/releases', (t) => void delete t.targets['v1']);
    });
    const [done] = await revokeImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(done.roles).toEqual(['targets/releases', 'targets/ci']);
    expect(forged.published).toEqual([]);
  });

  it('a delegation the keys may sign that has no file yet is skipped', async () => {
    const { r, ci } = served();
    r.delegate('targets', 'targets/new', { keys: [ci] });
    r.publish();
    forged.serve(r);
    const [done] = await revokeImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect(done.roles).toEqual(['targets/releases', 'targets/ci']);
    expect([...forged.published[0].files.keys()].sort()).toEqual([
      'targets/ci',
      'targets/releases',
    ]);
  });

  it('with only the repository key: removed from targets, with the warning roles give', async () => {
    const { r } = served();
    const { log, opts: o } = opts([`${r.gun}:latest`], ring(r.targetsKey));
    const [done] = await revokeImages(o);
    expect(done.roles).toEqual(['targets']);
    expect(log.lines).toContain(
      `warning: ${r.gun}: none of the keys may sign a delegation (targets/releases, targets/ci, targets/qa); signing into \`targets\` with the repository key. Docker clients read \`targets/releases\` first.`,
    );
    expect(Object.keys(sent('targets').targets)).toEqual([]);
  });

  it('a server that never keeps the change: the read-back says where the tag still is', async () => {
    const { r, ci } = served();
    forged.onPublish = undefined;
    const { log, opts: o } = opts([`${r.gun}:v1`], ring(ci));
    const [f] = await failures(revokeImages(o));
    expect(f.code).toBe('PUBLISH_CONFLICT');
    expect(log.lines).toContain(
      `${r.gun}: read-back did not show the change (v1 is still listed in targets/releases); retrying`,
    );
  });

  it('asks the trust server for push access', async () => {
    const { r, ci } = served();
    const scopes = forged.requireTokens();
    await revokeImages(opts([`${r.gun}:v1`], ring(ci)).opts);
    expect([...new Set(scopes)]).toEqual([`repository:${r.gun}:pull,push`]);
  });

  it('the cached trust data is the floor', async () => {
    const { r, ci } = served();
    const store = new MemoryTrustStore();
    await store.save({
      gun: r.gun,
      root: r.root.bytes.toString('base64'),
      versions: { 'targets/ci': 9 },
    });
    const [f] = await failures(
      revokeImages({ ...opts([`${r.gun}:v1`], ring(ci)).opts, trustStore: store }),
    );
    expect(f.code).toBe('TUF_ROLLBACK');
    expect(forged.published).toEqual([]);
  });
});
