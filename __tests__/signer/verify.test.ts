/**
 * The `verify` verdicts on src/signer/verify.ts itself (checkTags), on synthetic repositories
 * whose keys the test holds: "signed for another digest", "missing signer", "not signed", and
 * a required signer whose delegation could not be trusted.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseImageRef, type ImageRef } from '../../src/registry/reference.js';
import { GroupImagesError } from '../../src/signer/images.js';
import type { TagTarget } from '../../src/signer/targets.js';
import { checkGroup } from './check-group.js';
import { targetFile } from '../../src/tuf/models.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { newKey, TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const NOW = new Date('2030-06-01T12:00:00Z');

function image(seed: string): TagTarget {
  return {
    digest: `sha256:${createHash('sha256').update(seed).digest('hex')}`,
    size: 500 + seed.length,
  };
}
const file = (t: TagTarget) => targetFile(t.digest.slice('sha256:'.length), t.size);

const GOOD = image('good');
const OTHER = image('other');

/** docker's layout: targets/releases and targets/ci (one key), plus targets/qa (its own). */
async function repoWith(edit: (r: TestRepo) => void = () => undefined) {
  const r = new TestRepo(GUN, NOW);
  const ci = newKey('ecdsa');
  r.delegate('targets', 'targets/releases', { keys: [ci] });
  r.delegate('targets', 'targets/ci', { keys: [ci] });
  r.delegate('targets', 'targets/qa', { keys: [newKey('ecdsa')] });
  r.setTargets('targets/releases', (t) => (t.targets['v1'] = file(GOOD)));
  r.setTargets('targets/ci', (t) => (t.targets['v1'] = file(GOOD)));
  r.setTargets('targets/qa', (t) => (t.targets['other'] = file(OTHER)));
  edit(r);
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: NOW }))!;
}

function check(
  repo: Awaited<ReturnType<typeof repoWith>>,
  tags: Record<string, TagTarget>,
  required: string[],
) {
  const refs: ImageRef[] = Object.keys(tags).map((t) => parseImageRef(`${GUN}:${t}`));
  const targets = new Map(refs.map((ref) => [ref, tags[ref.tag]]));
  return () => checkGroup(repo, refs, targets, required);
}

function failures(fn: () => unknown): { image: string; code: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GroupImagesError);
    return (e as GroupImagesError).failures;
  }
  throw new Error('expected checkGroup to fail');
}

describe('checkGroup verdicts', () => {
  it('a tag signed with the registry digest by every required signer is verified', async () => {
    const repo = await repoWith();
    expect(check(repo, { v1: GOOD }, ['ci', 'releases'])()).toEqual([
      {
        image: `${GUN}:v1`,
        gun: GUN,
        tag: 'v1',
        digest: GOOD.digest,
        size: GOOD.size,
        signers: ['ci'],
      },
    ]);
  });

  it('the registry holds another digest → SIGNED_OTHER_DIGEST naming both', async () => {
    const repo = await repoWith();
    expect(failures(check(repo, { v1: OTHER }, []))).toEqual([
      {
        image: `${GUN}:v1`,
        code: 'SIGNED_OTHER_DIGEST',
        message:
          `signed for another digest: the signature is for ${GOOD.digest} (${GOOD.size} bytes) ` +
          `but the registry holds ${OTHER.digest} (${OTHER.size} bytes); sign the new image`,
      },
    ]);
  });

  it('the same digest with another size is another image → SIGNED_OTHER_DIGEST', async () => {
    const repo = await repoWith();
    const [f] = failures(check(repo, { v1: { ...GOOD, size: GOOD.size + 1 } }, []));
    expect(f.code).toBe('SIGNED_OTHER_DIGEST');
  });

  it('a required signer that did not sign the tag → MISSING_SIGNER naming who did', async () => {
    const repo = await repoWith();
    expect(failures(check(repo, { v1: GOOD }, ['ci', 'qa']))).toEqual([
      {
        image: `${GUN}:v1`,
        code: 'MISSING_SIGNER',
        message: `missing signer: qa did not sign ${GOOD.digest} (signed by ci)`,
      },
    ]);
  });

  it('a required signer that signed another digest for the tag did not sign this one → MISSING_SIGNER', async () => {
    const repo = await repoWith((r) =>
      r.setTargets('targets/ci', (t) => (t.targets['v1'] = file(OTHER))),
    );
    expect(failures(check(repo, { v1: GOOD }, ['ci']))).toEqual([
      {
        image: `${GUN}:v1`,
        code: 'MISSING_SIGNER',
        message: `missing signer: ci did not sign ${GOOD.digest} (signed by releases)`,
      },
    ]);
  });

  it('a required signer whose delegation could not be trusted says why → TUF_DELEGATION_INVALID', async () => {
    const repo = await repoWith((r) =>
      r.setTargets('targets/qa', (t) => (t.targets['v1'] = file(GOOD)), [newKey('ecdsa')]),
    );
    const [f] = failures(check(repo, { v1: GOOD }, ['qa']));
    expect(f.code).toBe('TUF_DELEGATION_INVALID');
    expect(f.message).toMatch(
      new RegExp(
        `^targets/qa of ${GUN} could not be trusted and was ignored: valid signatures did not meet threshold for targets/qa`,
      ),
    );
  });

  it('a tag only a delegation other than targets/releases holds is not where docker reads it → NOT_SIGNED', async () => {
    const repo = await repoWith();
    expect(failures(check(repo, { other: OTHER }, ['qa']))).toEqual([
      {
        image: `${GUN}:other`,
        code: 'NOT_SIGNED',
        message: `not signed: other is in neither targets/releases nor targets of ${GUN}`,
      },
    ]);
  });

  it('a tag in neither targets/releases nor targets → NOT_SIGNED; the others still get their verdict', async () => {
    const repo = await repoWith();
    let thrown: unknown;
    try {
      check(repo, { v1: GOOD, v9: GOOD }, [])();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(GroupImagesError);
    const e = thrown as GroupImagesError;
    expect(e.failures).toEqual([
      {
        image: `${GUN}:v9`,
        code: 'NOT_SIGNED',
        message: `not signed: v9 is in neither targets/releases nor targets of ${GUN}`,
      },
    ]);
    expect(e.done).toMatchObject([{ image: `${GUN}:v1`, signers: ['ci'] }]);
  });
});
