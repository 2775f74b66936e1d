/**
 * signer/health.ts at its edges: the signers a ring holds for a role (none without a ring or
 * a role, a listed key missing from the role's keys skipped), whether it can sign, which
 * snapshot is the server's, an expired delegation shown as expired and a badly signed one not
 * shown, and the expiry warning exactly at 30 days left, at 0 days left and after expiry, never
 * for root. Written against the mutants StrykerJS left alive in signer/health.ts (issue 14).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyRing } from '../../src/keys/keyring.js';
import {
  canSign,
  heldSigners,
  roleHealth,
  WARN_WITHIN_MS,
  warnIfExpiring,
} from '../../src/signer/health.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { addDays, goTime, parseExpires } from '../../src/tuf/time.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { newKey, sha256b64, TestRepo } from '../tuf/helpers/repo.js';
import { ringOfKeys } from './flows.js';

const GUN = 'registry.example.com/team/app';
const MADE = new Date('2030-06-01T12:00:00Z');
const rings: KeyRing[] = [];
afterEach(() => {
  for (const r of rings.splice(0)) r.dispose();
});

async function loaded(r: TestRepo, at: Date): Promise<TrustedRepo> {
  r.now = at;
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: at }))!;
}

function warnings(repo: TrustedRepo, now: Date): string[] {
  const lines: string[] = [];
  warnIfExpiring(
    repo,
    { info: () => undefined, debug: () => undefined, warning: (m) => lines.push(m) },
    { now },
  );
  return lines;
}

describe('heldSigners and canSign', () => {
  it('nothing without a ring or a role; a listed key the role does not carry is skipped', async () => {
    const r = new TestRepo(GUN, MADE);
    const repo = await loaded(r, MADE);
    const keys = ringOfKeys(r.targetsKey);
    rings.push(keys);
    const set = repo.keysOf('targets')!;
    expect(heldSigners(undefined, set)).toEqual([]);
    expect(heldSigners(keys, undefined)).toEqual([]);
    const ghost = newKey().id;
    const withGhost = { ...set, keyids: [ghost, ...set.keyids] };
    expect(heldSigners(keys, withGhost).map((s) => s.keyId)).toEqual([r.targetsKey.id]);
    expect(canSign(keys, set)).toBe(true);
    expect(canSign(keys, undefined)).toBe(false);
    expect(canSign(keys, { ...set, threshold: 2 })).toBe(false);
    expect(canSign(undefined, set)).toBe(false);
  });
});

describe('roleHealth', () => {
  it('the snapshot is the server’s unless the ring can sign it; the timestamp always is', async () => {
    const r = new TestRepo(GUN, MADE);
    const repo = await loaded(r, MADE);
    const keys = ringOfKeys(r.snapshotKey);
    rings.push(keys);
    const managed = (k?: KeyRing) =>
      Object.fromEntries(roleHealth(repo, k).map((h) => [h.role, h.serverManaged]));
    expect(managed()).toEqual({ root: false, targets: false, snapshot: true, timestamp: true });
    expect(managed(keys)).toEqual({
      root: false,
      targets: false,
      snapshot: false,
      timestamp: true,
    });
    expect(roleHealth(repo).map((h) => [h.role, h.keyIds])).toEqual([
      ['root', [r.rootKeys[0].id]],
      ['targets', [r.targetsKey.id]],
      ['snapshot', [r.snapshotKey.id]],
      ['timestamp', [r.timestampKey.id]],
    ]);
  });

  it('an expired delegation is listed as expired, with its keys; a badly signed one is not listed', async () => {
    const r = new TestRepo(GUN, MADE);
    r.delegate('targets', 'targets/old');
    r.delegate('targets', 'targets/forged');
    r.setTargets('targets/old', () => undefined);
    r.setTargets('targets/forged', () => undefined, [newKey()]);
    // targets re-signed later, so only targets/old has expired at `at`.
    const at = addDays(MADE, 3 * 365 + 2);
    r.now = addDays(MADE, 100);
    r.setTargets('targets', () => undefined);
    const repo = await loaded(r, at);
    const health = roleHealth(repo);
    expect(health.map((h) => [h.role, h.expired])).toEqual([
      ['root', undefined],
      ['targets', undefined],
      ['targets/old', true],
      ['snapshot', undefined],
      ['timestamp', undefined],
    ]);
    expect(health[2].keyIds).toEqual([r.delegationKeys.get('targets/old')![0].id]);
    expect('expired' in health[1]).toBe(false);
    expect(warnings(repo, at)).toEqual([
      `${GUN}: targets/old expired at ${r.targets.get('targets/old')!.signed.expires}, so clients ignore its signatures; re-sign it: run this action with \`command: refresh\` (or \`dct refresh ${GUN}\`) with the keys that sign it`,
    ]);
  });
});

describe('warnIfExpiring at its edges', () => {
  /** targets made at MADE; the clock `before` its expiry. */
  async function at(beforeMs: number) {
    const r = new TestRepo(GUN, MADE);
    r.setTargets('targets', (t) => {
      t.targets['v1'] = { hashes: { sha256: sha256b64('v1') }, length: 2 };
    });
    const expires = r.targets.get('targets')!.signed.expires;
    const now = new Date(parseExpires(expires).getTime() - beforeMs);
    return { repo: await loaded(r, now), now, expires };
  }

  it('exactly 30 days left: no warning; a second less: a warning', async () => {
    const a = await at(WARN_WITHIN_MS);
    expect(warnings(a.repo, a.now)).toEqual([]);
    const b = await at(WARN_WITHIN_MS - 1000);
    expect(warnings(b.repo, b.now)).toEqual([
      expect.stringMatching(
        /: targets expires at .* \(in 29 days\), and every client refuses/,
      ) as unknown,
    ]);
  });

  it('at the instant of expiry: still "expires at", in 0 days', async () => {
    const a = await at(0);
    expect(warnings(a.repo, a.now)).toEqual([
      expect.stringContaining(
        `: targets expires at ${a.expires} (in 0 days), and every client refuses the repository then;`,
      ) as unknown,
    ]);
  });

  it('never for root, however close its expiry', async () => {
    const r = new TestRepo(GUN, MADE);
    const soon = goTime(addDays(MADE, 5));
    r.signRoot(1, r.rootKeys, (s) => void (s.expires = soon));
    const repo = await loaded(r, MADE);
    expect(warnings(repo, MADE)).toEqual([]);
  });
});
