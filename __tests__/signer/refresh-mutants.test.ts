/**
 * `refreshRepositories` end to end against a forged trust server (support/forged-notary.ts)
 * serving repositories whose keys the test holds, judged at chosen clocks: which roles fall
 * due (a role expiring exactly at the window's end is due, one a day later is not), root and
 * a client-held snapshot re-signed with their keys, a server-held snapshot never named, the
 * warnings for due or expired roles the keys cannot sign (once per run, naming who signs
 * each), expired roles repaired only when held (never the timestamp), a pinned root key, a
 * read-back that does not show the change, and `parseDuration` at its limits. Written against
 * the mutants StrykerJS left alive in signer/refresh.ts (issue 14).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DctError, ImagesError } from '../../src/errors.js';
import type { KeyRing } from '../../src/keys/keyring.js';
import { parseDuration, refreshRepositories } from '../../src/signer/refresh.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asRoot, asSnapshot, asTargets, TARGETS_EXPIRY_DAYS } from '../../src/tuf/models.js';
import { addDays, goTime, parseExpires } from '../../src/tuf/time.js';
import { MemoryTrustStore } from '../reliability/helpers.js';
import { ForgedNotary, type Publish } from '../support/forged-notary.js';
import { newKey, sha256b64, TestRepo, type TestKey } from '../tuf/helpers/repo.js';
import { quietLog, ringOfKeys } from './flows.js';

const DAY = 86_400_000;
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000);
/** Ten days before targets made at T0 expires. */
let CLOCK: Date;
beforeEach(() => {
  CLOCK = addDays(T0, TARGETS_EXPIRY_DAYS - 10);
});

let forged: ForgedNotary;
let dockerConfigDir: string;
let n = 0;
const rings: KeyRing[] = [];

beforeAll(async () => {
  forged = await ForgedNotary.start();
  dockerConfigDir = mkdtempSync(join(tmpdir(), 'dct-refresh-mutants-'));
});
afterAll(async () => {
  await forged.close();
  rmSync(dockerConfigDir, { recursive: true, force: true });
});
afterEach(() => {
  forged.onPublish = undefined;
  forged.published.length = 0;
  for (const r of rings.splice(0)) r.dispose();
});

function ring(...keys: TestKey[]): KeyRing {
  const r = ringOfKeys(...keys);
  rings.push(r);
  return r;
}

/**
 * Stores publishes as notary-server does (root, targets roles, our snapshot when sent, else
 * one the server signs), after ignoring the first `drop` of them.
 */
function store(r: TestRepo, drop = 0): (p: Publish) => void {
  let seen = 0;
  return (p) => {
    if (seen++ < drop) return;
    for (const [role, bytes] of p.files) {
      if (role === 'root') {
        r.root = parseEnvelope(bytes, 'root', asRoot);
        r.oldRoots.set(r.root.signed.version, bytes);
      } else if (role !== 'snapshot') {
        r.targets.set(role, parseEnvelope(bytes, role, asTargets));
      }
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

interface Made {
  r: TestRepo;
  releases: TestKey;
  qa: TestKey;
}

/**
 * targets made at T0 (expires T0 + 3 years), targets/releases and targets/qa made a day later;
 * root made to expire `rootExpires`; snapshot signed at `snapshotAt`; timestamp at `clock`.
 */
function makeRepo(
  opts: { clock?: Date; rootExpires?: Date; snapshotAt?: Date; qa?: boolean } = {},
): Made {
  const clock = opts.clock ?? CLOCK;
  const r = new TestRepo(`${forged.host}/team/refresh${++n}`, T0);
  if (opts.rootExpires !== undefined) {
    const at = goTime(opts.rootExpires);
    r.signRoot(1, r.rootKeys, (s) => void (s.expires = at));
  }
  r.now = addDays(T0, 1);
  r.delegate('targets', 'targets/releases');
  r.setTargets('targets/releases', (t) => {
    t.targets['v1'] = { hashes: { sha256: sha256b64('v1') }, length: 2 };
  });
  if (opts.qa === true) {
    r.delegate('targets', 'targets/qa');
    r.setTargets('targets/qa', () => undefined);
  }
  r.now = T0;
  r.setTargets('targets', () => undefined);
  r.now = opts.snapshotAt ?? clock;
  r.publish();
  r.now = clock;
  r.signTimestamp();
  forged.serve(r);
  return {
    r,
    releases: r.delegationKeys.get('targets/releases')![0],
    qa: r.delegationKeys.get('targets/qa')?.[0] ?? newKey(),
  };
}

function run(
  r: TestRepo,
  keys: KeyRing,
  opts: {
    clock?: Date | null;
    windowMs?: number;
    trustStore?: MemoryTrustStore;
    rootKeyIds?: string[];
    repository?: string;
  } = {},
) {
  const log = quietLog();
  const clock = opts.clock === undefined ? CLOCK : opts.clock;
  const done = refreshRepositories({
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    dockerConfigDir,
    repositories: [opts.repository ?? r.gun],
    keys,
    expiresWithinMs: opts.windowMs ?? 30 * DAY,
    log,
    ...(clock === null ? {} : { now: () => clock }),
    ...(opts.trustStore === undefined ? {} : { trustStore: opts.trustStore }),
    ...(opts.rootKeyIds === undefined ? {} : { rootKeyIds: opts.rootKeyIds }),
  });
  return { log, done };
}

const expiresOf = (r: TestRepo, role: string) => r.targets.get(role)!.signed.expires;
const versionOf = (r: TestRepo, role: string) => r.targets.get(role)!.signed.version;
const reSigned = (at: Date) => goTime(addDays(at, TARGETS_EXPIRY_DAYS));

/** The run's warnings, less publish's own six-month notice about root. */
const warningsOf = (log: { lines: string[] }) =>
  log.lines.filter((l) => l.startsWith('warning: ') && !l.includes('root metadata expires'));

/** The reason a run failed, for one repository. */
async function failureOf(done: Promise<unknown>): Promise<{ code: string; message: string }> {
  const e = await done.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ImagesError);
  const failures = (e as ImagesError).failures;
  expect(failures).toHaveLength(1);
  return failures[0];
}

describe('refresh: what falls due', () => {
  it('re-signs the held role due, warns once for due roles it cannot sign, reports and stores', async () => {
    const rootExpires = addDays(T0, TARGETS_EXPIRY_DAYS + 5);
    // The snapshot is due too, but it is the server's: never named.
    const { r } = makeRepo({ rootExpires, snapshotAt: T0 });
    forged.onPublish = store(r);
    const oldTargets = { version: versionOf(r, 'targets'), expires: expiresOf(r, 'targets') };
    const releasesExpires = expiresOf(r, 'targets/releases');
    const snapshotBefore = r.snapshot!.signed;
    const timestampBefore = r.timestamp!.signed;
    const trustStore = new MemoryTrustStore();
    const { log, done } = run(r, ring(r.targetsKey), {
      trustStore,
      rootKeyIds: [r.rootKeys[0].id],
      repository: `${r.gun}:latest`,
    });
    const [result] = await done;

    expect(forged.published.map((p) => [...p.files.keys()])).toEqual([['targets']]);
    const refreshed = { gun: r.gun, role: 'targets', version: oldTargets.version + 1 };
    expect(result).toMatchObject({
      repository: `${r.gun}:latest`,
      gun: r.gun,
      server: forged.origin,
      refreshed: [{ ...refreshed, expires: reSigned(CLOCK) }],
    });
    expect(result.roles.map((h) => [h.role, h.version, h.expires])).toEqual([
      ['root', 1, goTime(rootExpires)],
      ['targets', oldTargets.version + 1, reSigned(CLOCK)],
      ['targets/releases', versionOf(r, 'targets/releases'), releasesExpires],
      ['snapshot', snapshotBefore.version, snapshotBefore.expires],
      ['timestamp', timestampBefore.version, timestampBefore.expires],
    ]);
    expect(expiresOf(r, 'targets')).toBe(reSigned(CLOCK));
    expect(warningsOf(log)).toEqual([
      `warning: ${r.gun}: root expires at ${goTime(rootExpires)} but the keys given cannot sign it, so it is not refreshed; add the root key to the keys and give its passphrase`,
      `warning: ${r.gun}: targets/releases expires at ${releasesExpires} but the keys given cannot sign it, so it is not refreshed; refresh with the key of targets/releases`,
    ]);
    expect(log.lines).toContain(
      `${r.gun}: refreshed targets (v${oldTargets.version + 1}, until ${reSigned(CLOCK)})`,
    );
    expect(trustStore.states.get(r.gun)?.gun).toBe(r.gun);
  });

  it('a role expiring exactly at the end of the window is due; one a day later is not', async () => {
    const { r, releases } = makeRepo();
    forged.onPublish = store(r);
    const windowMs = parseExpires(expiresOf(r, 'targets')).getTime() - CLOCK.getTime();
    const { log, done } = run(r, ring(r.targetsKey, releases), { windowMs });
    const [result] = await done;
    expect(result.refreshed.map((x) => x.role)).toEqual(['targets']);
    expect(warningsOf(log)).toEqual([]);
  });

  it('nothing due within a shorter window: nothing published, said so', async () => {
    const { r, releases } = makeRepo();
    forged.onPublish = store(r);
    const windowMs = parseExpires(expiresOf(r, 'targets')).getTime() - CLOCK.getTime() - 1;
    const { log, done } = run(r, ring(r.targetsKey, releases), { windowMs });
    const [result] = await done;
    expect(result.refreshed).toEqual([]);
    expect(forged.published).toEqual([]);
    expect(log.lines).toContain(
      `${r.gun}: nothing the keys can sign expires within the window; nothing was published`,
    );
  });

  it('only a due role the keys cannot sign: nothing published, the run succeeds with its warning', async () => {
    const { r, releases } = makeRepo();
    forged.onPublish = store(r);
    const { log, done } = run(r, ring(releases), {
      windowMs: parseExpires(expiresOf(r, 'targets')).getTime() - CLOCK.getTime(),
    });
    const [result] = await done;
    expect(result.refreshed).toEqual([]);
    expect(forged.published).toEqual([]);
    expect(warningsOf(log)).toEqual([
      `warning: ${r.gun}: targets expires at ${expiresOf(r, 'targets')} but the keys given cannot sign it, so it is not refreshed; add the repository (targets) key to the keys`,
    ]);
  });

  it('root and a held snapshot due are re-signed with their keys, in publishing order', async () => {
    const rootExpires = addDays(T0, TARGETS_EXPIRY_DAYS + 5);
    const { r } = makeRepo({ rootExpires, snapshotAt: T0 });
    forged.onPublish = store(r);
    const snapshotVersion = r.snapshot!.signed.version;
    const keys = ring(r.rootKeys[0], r.targetsKey, r.snapshotKey);
    const { log, done } = run(r, keys);
    const [result] = await done;
    expect(forged.published.map((p) => [...p.files.keys()])).toEqual([
      ['root', 'targets', 'snapshot'],
    ]);
    expect(result.refreshed.map((x) => [x.role, x.version])).toEqual([
      ['root', 2],
      ['targets', expect.any(Number) as unknown],
      ['snapshot', snapshotVersion + 1],
    ]);
    expect(r.root.signed.version).toBe(2);
    expect(r.root.signed.expires).toBe(goTime(addDays(CLOCK, 10 * 365)));
    expect(r.snapshot!.signed.expires).toBe(reSigned(CLOCK));
    const [root, targets, snapshot] = result.refreshed;
    expect(log.lines).toContain(
      `${r.gun}: refreshed ${[root, targets, snapshot].map((x) => `${x.role} (v${x.version}, until ${x.expires})`).join(', ')}`,
    );
    // targets/releases is due and not held.
    expect(warningsOf(log)).toHaveLength(1);
  });

  it('a held snapshot that alone is due is re-signed alone', async () => {
    const { r, releases } = makeRepo({ snapshotAt: addDays(T0, -30) });
    forged.onPublish = store(r);
    const before = r.snapshot!.signed;
    // targets (T0 + 3y) is not due within 5 days of CLOCK; the snapshot (T0 - 30d + 3y) is.
    const { done } = run(r, ring(r.targetsKey, releases, r.snapshotKey), { windowMs: 5 * DAY });
    const [result] = await done;
    expect(forged.published.map((p) => [...p.files.keys()])).toEqual([['snapshot']]);
    expect(result.refreshed.map((x) => x.role)).toEqual(['snapshot']);
    // Content unchanged: the same files listed, nothing more.
    const sent = parseEnvelope(forged.published[0].files.get('snapshot')!, 'snapshot', asSnapshot);
    expect(sent.signed.meta).toEqual(before.meta);
    expect(sent.signed.version).toBe(before.version + 1);
  });

  it('a publish the read-back does not show is made again; warnings stay one per role', async () => {
    const { r, releases } = makeRepo({ qa: true });
    forged.onPublish = store(r, 1);
    const before = expiresOf(r, 'targets');
    const { log, done } = run(r, ring(r.targetsKey, releases));
    const [result] = await done;
    expect(forged.published).toHaveLength(2);
    expect(result.refreshed.map((x) => x.role)).toEqual(['targets', 'targets/releases']);
    expect(log.lines).toContain(
      `${r.gun}: read-back did not show the change (targets, targets/releases still expires at ${before}); retrying`,
    );
    expect(warningsOf(log)).toEqual([
      `warning: ${r.gun}: targets/qa expires at ${expiresOf(r, 'targets/qa')} but the keys given cannot sign it, so it is not refreshed; refresh with the key of targets/qa`,
    ]);
  });

  it('runs on the real clock without a trust store', async () => {
    const now = new Date();
    const r = new TestRepo(
      `${forged.host}/team/refresh${++n}`,
      addDays(now, -TARGETS_EXPIRY_DAYS + 10),
    );
    r.now = now;
    r.publish();
    forged.serve(r);
    forged.onPublish = store(r);
    const { done } = run(r, ring(r.targetsKey), { clock: null });
    const [result] = await done;
    expect(result.refreshed.map((x) => x.role)).toEqual(['targets']);
    const until = parseExpires(result.refreshed[0].expires).getTime();
    expect(until).toBeGreaterThanOrEqual(addDays(now, TARGETS_EXPIRY_DAYS).getTime() - 1000);
    expect(until).toBeLessThan(addDays(new Date(), TARGETS_EXPIRY_DAYS).getTime() + 1000);
  });

  it('a root key pin the repository does not match stops it; nothing is published', async () => {
    const { r } = makeRepo();
    forged.onPublish = store(r);
    const { done } = run(r, ring(r.targetsKey), { rootKeyIds: [newKey().id] });
    const f = await failureOf(done);
    expect(f.code).not.toBe('UNEXPECTED');
    expect(forged.published).toEqual([]);
  });
});

describe('refresh: roles that have already expired', () => {
  let LATE: Date;
  beforeEach(() => {
    LATE = addDays(T0, TARGETS_EXPIRY_DAYS + 3);
  });

  it('repairs expired roles it holds the keys of', async () => {
    const { r, releases } = makeRepo({ clock: LATE });
    forged.onPublish = store(r);
    const { log, done } = run(r, ring(r.targetsKey, releases), { clock: LATE });
    const [result] = await done;
    expect(result.refreshed.map((x) => [x.role, x.expires])).toEqual([
      ['targets', reSigned(LATE)],
      ['targets/releases', reSigned(LATE)],
    ]);
    expect(warningsOf(log)).toEqual([]);
  });

  it('an expired delegation it cannot sign is warned about once; a badly signed one is not', async () => {
    const { r } = makeRepo({ clock: LATE, qa: true });
    // targets/qa signed by a key its entry does not list: skipped for its signature.
    r.now = LATE;
    r.setTargets('targets/qa', () => undefined, [newKey()]);
    r.publish();
    forged.serve(r);
    forged.onPublish = store(r);
    const { log, done } = run(r, ring(r.targetsKey), { clock: LATE });
    const [result] = await done;
    expect(result.refreshed.map((x) => x.role)).toEqual(['targets']);
    expect(warningsOf(log)).toEqual([
      `warning: ${r.gun}: targets/releases has expired and the keys given cannot sign it, so clients keep ignoring its signatures; refresh with the key of targets/releases`,
    ]);
  });

  it('an expired targets role it cannot sign stops the repository', async () => {
    const { r, releases } = makeRepo({ clock: LATE });
    const { done } = run(r, ring(releases), { clock: LATE });
    expect(await failureOf(done)).toMatchObject({ code: 'TUF_EXPIRED' });
  });

  it('an expired timestamp stops the repository even with the timestamp key given', async () => {
    const { r } = makeRepo();
    r.now = addDays(CLOCK, -20);
    r.signTimestamp();
    forged.serve(r);
    const { done } = run(r, ring(r.targetsKey, r.timestampKey));
    const f = await failureOf(done);
    expect(f.code).toBe('TUF_EXPIRED');
    expect(f.message).toMatch(/timestamp/);
    expect(forged.published).toEqual([]);
  });
});

describe('parseDuration', () => {
  it('reads a whole string only', () => {
    expect(parseDuration(' 2W ')).toBe(14 * DAY);
    for (const bad of ['90dx', '90d 1h', 'x90d']) {
      expect(() => parseDuration(bad)).toThrow(/^`expires-within` must be a whole number/);
    }
  });

  it('takes 20 years exactly and no hour more', () => {
    expect(parseDuration('7300d')).toBe(7300 * DAY);
    expect(() => parseDuration('175201h', '`--expires-within`')).toThrow(
      /^`--expires-within` must be a whole number of hours, days or weeks up to 7300 days, such as 90d, 12h or 2w; got "175201h"$/,
    );
  });

  it('shows a value up to 40 characters whole, a longer one cut to 37 and an ellipsis', () => {
    const forty = 'x'.repeat(40);
    const codeOf = (v: string) => {
      try {
        parseDuration(v);
      } catch (e) {
        return [(e as DctError).code, (e as Error).message.split('got ')[1]];
      }
      return undefined;
    };
    expect(codeOf(forty)).toEqual(['INPUT_INVALID', JSON.stringify(forty)]);
    expect(codeOf(`${forty}y`)).toEqual(['INPUT_INVALID', JSON.stringify(`${'x'.repeat(37)}...`)]);
  });
});

describe('refreshRepositories: no repository', () => {
  it('is an INPUT_INVALID error', async () => {
    await expect(
      refreshRepositories({
        repositories: [],
        keys: {} as KeyRing,
        expiresWithinMs: 0,
        log: quietLog(),
      }),
    ).rejects.toMatchObject({ code: 'INPUT_INVALID' });
  });
});
