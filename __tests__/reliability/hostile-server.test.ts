/**
 * A hostile trust server that holds the snapshot and timestamp keys (docker's layout gives it
 * both) can re-sign a snapshot over a tampered delegation file, so only the delegation's own
 * signature catches it. Go skips such a delegation; verify must then say why nothing
 * trusted is left, not just "not signed". The real server cannot be made to do this, so
 * the repository is synthetic (tuf/helpers/repo.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseImageRef } from '../../src/registry/reference.js';
import { parseEnvelope } from '../../src/tuf/envelope.js';
import { asTargets, type TargetFile } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { checkGroup } from '../signer/check-group.js';
import type { TagTarget } from '../../src/signer/targets.js';
import { GroupImagesError } from '../../src/signer/images.js';
import { TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2026-06-01T00:00:00Z');
const GOOD: TagTarget = { digest: `sha256:${'1'.repeat(64)}`, size: 100 };
const EVIL: TagTarget = { digest: `sha256:${'e'.repeat(64)}`, size: 100 };

function file(t: TagTarget): TargetFile {
  return {
    hashes: { sha256: Buffer.from(t.digest.slice(7), 'hex').toString('base64') },
    length: t.size,
  };
}

/** docker's layout with `v1` signed into releases and ci by the signer key. */
function signedRepo(): TestRepo {
  const r = new TestRepo(GUN, NOW);
  r.delegate('targets', 'targets/releases');
  r.delegate('targets', 'targets/ci', { keys: r.delegationKeys.get('targets/releases') });
  for (const role of ['targets/releases', 'targets/ci']) {
    r.setTargets(role, (t) => (t.targets['v1'] = file(GOOD)));
  }
  r.publish();
  return r;
}

/** The server points `v1` in `role` at another image, keeping the old signatures. */
function tamper(r: TestRepo, role: string): void {
  const doc = JSON.parse(r.targets.get(role)!.bytes.toString()) as {
    signed: { targets: Record<string, TargetFile> };
  };
  doc.signed.targets['v1'] = file(EVIL);
  r.targets.set(role, parseEnvelope(Buffer.from(JSON.stringify(doc)), role, asTargets));
  r.publish(); // re-signed with the server's snapshot and timestamp keys
}

async function verifyV1(r: TestRepo, registryHolds: TagTarget, required: string[]) {
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
  const ref = parseImageRef(`${GUN}:v1`);
  try {
    checkGroup(repo, [ref], new Map([[ref, registryHolds]]), required);
  } catch (e) {
    expect(e).toBeInstanceOf(GroupImagesError);
    return (e as GroupImagesError).failures;
  }
  return [];
}

describe('a tampered delegation behind a re-signed snapshot', () => {
  it('untampered, verify accepts v1 (the set-up is sound)', async () => {
    expect(await verifyV1(signedRepo(), GOOD, ['ci'])).toEqual([]);
  });

  it('targets/releases tampered: refused, naming the bad signature, whatever the registry holds', async () => {
    for (const holds of [GOOD, EVIL]) {
      const r = signedRepo();
      tamper(r, 'targets/releases');
      const [f] = await verifyV1(r, holds, []);
      expect(f).toMatchObject({ code: 'TUF_DELEGATION_INVALID' });
      expect(f.message).toMatch(
        /targets\/releases .*could not be trusted.*signature of key \w+ on targets\/releases is invalid/,
      );
    }
  });

  it('a required signer’s delegation tampered: refused, naming the bad signature', async () => {
    const r = signedRepo();
    tamper(r, 'targets/ci');
    const [f] = await verifyV1(r, GOOD, ['ci']);
    expect(f).toMatchObject({ code: 'TUF_DELEGATION_INVALID' });
    expect(f.message).toMatch(
      /targets\/ci .*could not be trusted.*signature of key \w+ on targets\/ci is invalid/,
    );
    // Not required, the tampered role is simply not counted: releases still vouches for v1.
    expect(await verifyV1(r, GOOD, [])).toEqual([]);
  });
});

describe('what verify must not count', () => {
  it('a tag signed in targets/releases outside its delegated paths is not signed', async () => {
    const r = new TestRepo(GUN, NOW);
    r.delegate('targets', 'targets/releases', { paths: ['prod-'] });
    r.setTargets('targets/releases', (t) => (t.targets['dev-1'] = file(GOOD)));
    r.publish();
    const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
    const ref = parseImageRef(`${GUN}:dev-1`);
    let failures: unknown[] = [];
    try {
      checkGroup(repo, [ref], new Map([[ref, GOOD]]), []);
    } catch (e) {
      failures = (e as GroupImagesError).failures;
    }
    expect(failures).toEqual([expect.objectContaining({ code: 'NOT_SIGNED' })]);
  });

  it('a delegation seen before that the snapshot stops listing is a rollback', async () => {
    const r = signedRepo();
    const first = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
    r.publish((s) => delete s.meta['targets/releases']);
    await expect(
      loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW, trusted: first.trustState() }),
    ).rejects.toMatchObject({ code: 'TUF_ROLLBACK' });
  });
});
