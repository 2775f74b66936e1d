/**
 * signer/images.ts on its own: the digest an image must carry (its `@sha256:` pin, the
 * `digest` input, both only when they agree, a malformed input refused), images grouped by
 * repository (the same tag and digest once, a bad reference a failure of its own), failures
 * per image (the project's code, else UNEXPECTED), group failures split per image with what
 * did go through, and each repository run once. Written against the mutants StrykerJS left
 * alive in signer/images.ts (issue 14).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DctError, ImagesError } from '../../src/errors.js';
import { parseImageRef, type ImageRef } from '../../src/registry/reference.js';
import {
  eachRepository,
  expectedDigest,
  forEachGroup,
  groupImages,
  GroupImagesError,
  imageFailure,
} from '../../src/signer/images.js';

const GUN = 'registry.example.com/team/app';
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

describe('expectedDigest (digest pins)', () => {
  let tagged: ImageRef;
  let pinned: ImageRef;
  beforeEach(() => {
    tagged = parseImageRef(`${GUN}:v1`);
    pinned = parseImageRef(`${GUN}:v1@${D1}`);
  });

  it('the pin, the input, or nothing', () => {
    expect(expectedDigest(pinned, undefined)).toBe(D1);
    expect(expectedDigest(tagged, D2)).toBe(D2);
    expect(expectedDigest(tagged, `  ${D2} `)).toBe(D2);
    expect(expectedDigest(tagged, undefined)).toBeUndefined();
  });

  it('pin and input must agree', () => {
    expect(expectedDigest(pinned, D1)).toBe(D1);
    expect(() => expectedDigest(pinned, D2)).toThrow(
      expect.objectContaining({
        code: 'DIGEST_CONFLICT',
        message: `the reference pins ${D1} but the \`digest\` input is ${D2}; give one digest`,
      }) as Error,
    );
  });

  it('a malformed input is refused, naming the input, pinned or not', () => {
    for (const ref of [tagged, pinned]) {
      expect(() => expectedDigest(ref, `sha256:${'A'.repeat(64)}`)).toThrow(
        expect.objectContaining({
          code: 'DIGEST_INVALID',
          message: expect.stringMatching(
            / in digest: the hex digits must be lowercase$/,
          ) as unknown,
        }) as Error,
      );
    }
  });
});

describe('groupImages', () => {
  it('groups by repository in first-seen order, keeping a tag and digest once', () => {
    const { groups, failures } = groupImages([
      `${GUN}:v1`,
      'registry.example.com/team/other:v1',
      `${GUN}:v2`,
      `${GUN}:v1`,
      `${GUN}:v1@${D1}`,
      `${GUN}:v1@${D1}`,
      `${GUN}:v1@${D2}`,
    ]);
    expect(failures).toEqual([]);
    expect(groups.map((g) => [g.gun, g.refs.map((r) => r.input)])).toEqual([
      [GUN, [`${GUN}:v1`, `${GUN}:v2`, `${GUN}:v1@${D1}`, `${GUN}:v1@${D2}`]],
      ['registry.example.com/team/other', ['registry.example.com/team/other:v1']],
    ]);
  });

  it('a reference that does not parse is a failure of its own', () => {
    const { groups, failures } = groupImages([`${GUN}:v1`, 'Bad/Name:1']);
    expect(groups.map((g) => g.gun)).toEqual([GUN]);
    expect(failures).toEqual([
      {
        image: 'Bad/Name:1',
        code: 'IMAGE_REF_INVALID',
        message: expect.stringMatching(/\S/) as unknown,
      },
    ]);
  });
});

describe('imageFailure', () => {
  it('the project’s code, else UNEXPECTED', () => {
    expect(imageFailure('i', new DctError('TAG_MOVED', 'moved'))).toEqual({
      image: 'i',
      code: 'TAG_MOVED',
      message: 'moved',
    });
    expect(imageFailure('i', new Error('boom'))).toMatchObject({ image: 'i', code: 'UNEXPECTED' });
  });
});

describe('forEachGroup', () => {
  let groups: ReturnType<typeof groupImages>['groups'];
  beforeEach(() => {
    ({ groups } = groupImages([`${GUN}:a`, `${GUN}:b`, 'registry.example.com/x/y:c']));
  });

  it('results of every group, a failure per image of a failed group', async () => {
    const out = await forEachGroup(groups, (g) =>
      g.gun === GUN
        ? Promise.reject(new DctError('PUBLISH_FAILED', 'no'))
        : Promise.resolve(g.refs.map((r) => r.tag)),
    );
    expect(out.done).toEqual(['c']);
    expect(out.failures).toEqual([
      { image: `${GUN}:a`, code: 'PUBLISH_FAILED', message: 'no' },
      { image: `${GUN}:b`, code: 'PUBLISH_FAILED', message: 'no' },
    ]);
  });

  it('a group that split its failure per image keeps that split and what went through', async () => {
    const out = await forEachGroup(groups, (g) =>
      g.gun === GUN
        ? Promise.reject(
            new GroupImagesError(
              [{ image: `${GUN}:b`, code: 'TAG_MOVED', message: 'b moved' }],
              ['a'],
            ),
          )
        : Promise.resolve(['c']),
    );
    expect(out.done.sort()).toEqual(['a', 'c']);
    expect(out.failures).toEqual([{ image: `${GUN}:b`, code: 'TAG_MOVED', message: 'b moved' }]);
  });

  it('GroupImagesError says each image and why, and has nothing done by default', () => {
    const e = new GroupImagesError([
      { image: 'x', code: 'A', message: 'one' },
      { image: 'y', code: 'B', message: 'two' },
    ]);
    expect(e.message).toBe('x: one\ny: two');
    expect(e.done).toEqual([]);
  });
});

describe('eachRepository', () => {
  it('runs each repository once (a tag ignored, names trimmed) and returns every result', async () => {
    const ran: string[] = [];
    const out = await eachRepository(
      [`${GUN}:v1`, ` ${GUN} `, 'registry.example.com/x/y'],
      (ref) => {
        ran.push(ref.gun);
        return Promise.resolve(ref.input);
      },
    );
    expect(ran).toEqual([GUN, 'registry.example.com/x/y']);
    expect(out).toEqual([`${GUN}:v1`, 'registry.example.com/x/y']);
  });

  it('a failed repository is named, with the others’ results', async () => {
    const e = await eachRepository([GUN, 'registry.example.com/x/y'], (ref) =>
      ref.gun === GUN
        ? Promise.reject(new DctError('TUF_EXPIRED', 'expired'))
        : Promise.resolve(ref.gun),
    ).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(ImagesError);
    expect((e as ImagesError).failures).toEqual([
      { image: GUN, code: 'TUF_EXPIRED', message: 'expired' },
    ]);
    expect((e as ImagesError).done).toEqual(['registry.example.com/x/y']);
  });
});
