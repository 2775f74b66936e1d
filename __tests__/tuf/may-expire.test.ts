/**
 * Loading for `refresh` (issue 11): the expiry of exactly the roles the caller re-signs is let
 * through, and nothing else is relaxed (signatures, thresholds, hashes, versions).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets } from '../../src/tuf/models.js';
import { addDays } from '../../src/tuf/time.js';
import { loadTrustedRepo, type TrustOptions } from '../../src/tuf/load.js';
import { newKey, sha256b64, TestRepo } from './helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');
let LATER: Date;
beforeEach(() => {
  LATER = addDays(NOW, 3 * 365 + 10);
});

const target = (name: string) => ({ hashes: { sha256: sha256b64(name) }, length: name.length });

/** targets, targets/releases (+ a child) signed at NOW; snapshot and timestamp fresh at LATER. */
function expiredRepo(): TestRepo {
  const r = new TestRepo(GUN, NOW);
  r.delegate('targets', 'targets/releases');
  r.delegate('targets/releases', 'targets/releases/qa');
  r.setTargets('targets/releases', (t) => (t.targets['v1'] = target('v1')));
  r.setTargets('targets/releases/qa', (t) => (t.targets['qa'] = target('qa')));
  r.now = LATER;
  r.publish();
  return r;
}

const load = (
  r: TestRepo,
  mayExpire?: TrustOptions['mayExpire'],
  extra: Partial<TrustOptions> = {},
) => loadTrustedRepo(r.fetcher(), { gun: GUN, now: LATER, mayExpire, ...extra });

describe('loadTrustedRepo with mayExpire', () => {
  it('refuses expired targets without it, and loads it (and the expired delegations) with it', async () => {
    const r = expiredRepo();
    await expect(load(r)).rejects.toMatchObject({ code: 'TUF_EXPIRED' });
    const asked: string[] = [];
    const repo = (await load(r, (role, keys) => {
      asked.push(`${role}:${keys.keyids.length}/${keys.threshold}`);
      return true;
    }))!;
    expect(asked).toEqual(['targets:1/1', 'targets/releases:1/1', 'targets/releases/qa:1/1']);
    expect([...repo.expired]).toEqual(['targets', 'targets/releases', 'targets/releases/qa']);
    expect(repo.targetsFor('qa').map((h) => h.role)).toEqual(['targets/releases/qa']);
  });

  it('lets through only the roles it names: an expired delegation it refuses is skipped as before', async () => {
    const r = expiredRepo();
    const repo = (await load(r, (role) => role === 'targets'))!;
    expect([...repo.expired]).toEqual(['targets']);
    expect([...repo.invalidDelegations].map(([n, e]) => [n, e.code])).toEqual([
      ['targets/releases', 'TUF_EXPIRED'],
    ]);
    await expect(load(r, (role) => role === 'targets/releases')).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^targets expired at /) as unknown,
    });
  });

  it('still checks signatures: an expired targets signed by another key is refused', async () => {
    const r = expiredRepo();
    r.now = NOW;
    r.setTargets('targets', () => undefined, [newKey('ecdsa')]);
    r.now = LATER;
    r.publish();
    await expect(load(r, () => true)).rejects.toMatchObject({ code: 'TUF_THRESHOLD' });
  });

  it('still checks hashes: an expired delegation swapped behind the snapshot is refused', async () => {
    const r = expiredRepo();
    const doc = JSON.parse(r.targets.get('targets/releases')!.bytes.toString()) as {
      signed: { targets: Record<string, unknown> };
    };
    doc.signed.targets['v1'] = target('evil');
    const forged = parseEnvelope(Buffer.from(JSON.stringify(doc)), 'targets/releases', asTargets);
    const fetcher = r.fetcher();
    fetcher.files.set('targets/releases', forged.bytes);
    await expect(
      loadTrustedRepo(fetcher, { gun: GUN, now: LATER, mayExpire: () => true }),
    ).rejects.toMatchObject({
      code: expect.stringMatching(/^TUF_(LENGTH|HASH_MISMATCH)$/) as unknown,
    });
  });

  it('still checks versions: an expired targets older than the one remembered is a rollback', async () => {
    const r = expiredRepo();
    const first = (await load(r, () => true))!;
    const trusted = first.trustState();
    trusted.versions['targets'] += 1;
    await expect(load(r, () => true, { trusted })).rejects.toMatchObject({
      code: 'TUF_ROLLBACK',
    });
  });

  it('never lets an expired timestamp through unless asked, and records an expired root it lets through', async () => {
    const r = new TestRepo(GUN, NOW);
    r.signRoot(1, r.rootKeys, (root) => {
      root.expires = '2030-05-01T00:00:00Z';
    });
    r.publish();
    const repo = (await loadTrustedRepo(r.fetcher(), {
      gun: GUN,
      now: NOW,
      mayExpire: (role) => role === 'root',
    }))!;
    expect([...repo.expired]).toEqual(['root']);
    await expect(
      loadTrustedRepo(r.fetcher(), {
        gun: GUN,
        now: addDays(NOW, 20),
        mayExpire: (role) => role !== 'timestamp',
      }),
    ).rejects.toMatchObject({
      code: 'TUF_EXPIRED',
      message: expect.stringMatching(/^timestamp/) as unknown,
    });
  });
});
