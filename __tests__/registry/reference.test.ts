import { describe, expect, it } from 'vitest';
import { parseDigest, parseImageRef } from '../../src/registry/reference.js';

const HEX = 'a'.repeat(64);

describe('parseImageRef', () => {
  it.each([
    // input, registry, repository, tag, apiHost
    ['alpine:3', 'docker.io', 'library/alpine', '3', 'registry-1.docker.io'],
    ['user/app:1', 'docker.io', 'user/app', '1', 'registry-1.docker.io'],
    ['docker.io/alpine:edge', 'docker.io', 'library/alpine', 'edge', 'registry-1.docker.io'],
    ['index.docker.io/user/app:v1', 'docker.io', 'user/app', 'v1', 'registry-1.docker.io'],
    ['docker.io/library/alpine:3', 'docker.io', 'library/alpine', '3', 'registry-1.docker.io'],
    ['localhost:5000/a/b:t', 'localhost:5000', 'a/b', 't', 'localhost:5000'],
    ['localhost/a:t', 'localhost', 'a', 't', 'localhost'],
    ['[::1]:5000/x:y', '[::1]:5000', 'x', 'y', '[::1]:5000'],
    [
      'reg.example.com/team/sub/app:1.4.2',
      'reg.example.com',
      'team/sub/app',
      '1.4.2',
      'reg.example.com',
    ],
    [
      '127.0.0.1:5000/a_b/c__d/e--f.g:T_1.x-y',
      '127.0.0.1:5000',
      'a_b/c__d/e--f.g',
      'T_1.x-y',
      '127.0.0.1:5000',
    ],
    ['Example.COM/app:1', 'Example.COM', 'app', '1', 'Example.COM'],
    ['myhost:5000/app:latest', 'myhost:5000', 'app', 'latest', 'myhost:5000'],
  ])('%s', (input, registry, repository, tag, apiHost) => {
    const ref = parseImageRef(input);
    expect(ref).toEqual({
      input,
      registry,
      repository,
      tag,
      apiHost,
      gun: `${registry}/${repository}`,
    });
  });

  it('keeps a pinned digest next to the tag', () => {
    const ref = parseImageRef(`reg.io/a/b:1@sha256:${HEX}`);
    expect(ref.tag).toBe('1');
    expect(ref.digest).toBe(`sha256:${HEX}`);
    expect(ref.gun).toBe('reg.io/a/b');
  });

  it.each([
    ['Alpine:3', /lowercase/],
    ['user/App:1', /lowercase/],
    ['alpine', /add a tag/],
    ['reg.io/a/b', /add a tag/],
    [`alpine@sha256:${HEX}`, /add a tag/],
    [`alpine:3@sha256:${'A'.repeat(64)}`, /sha256/],
    [`alpine:3@sha512:${'a'.repeat(128)}`, /sha256/],
    [`alpine:3@sha256:abc`, /expected/],
    [`alpine:${'t'.repeat(129)}`, /expected/],
    ['alpine:-bad', /expected/],
    ['a//b:1', /expected/],
    ['a/b/:1', /expected/],
    ['-a:1', /expected/],
    ['a..b:1', /expected/],
    ['reg.io:/a:1', /expected/],
    ['', /empty/],
    [HEX, /64-hex/],
    [`reg.io/${'a'.repeat(250)}:1`, /255/],
    ['reg io/a:1', /expected/],
  ])('rejects %s', (input, why) => {
    let err: unknown;
    try {
      parseImageRef(input);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'IMAGE_REF_INVALID' });
    const message = (err as Error).message;
    expect(message).toMatch(why);
    // The failure line names the image; the message does not repeat it.
    if (input !== '') expect(message).not.toContain(input);
  });

  it('accepts a 128-character tag', () => {
    expect(parseImageRef(`alpine:${'t'.repeat(128)}`).tag).toHaveLength(128);
  });
});

describe('parseDigest', () => {
  it('accepts sha256 with 64 lowercase hex, trimming blanks', () => {
    expect(parseDigest(` sha256:${HEX}\n`, 'digest')).toBe(`sha256:${HEX}`);
  });

  it.each([
    [`sha256:${'A'.repeat(64)}`, /lowercase/],
    [HEX, /prefix/],
    [`sha512:${'a'.repeat(128)}`, /only sha256/],
    ['sha256:abc', /64/],
    ['', /64/],
  ])('rejects %s naming the input', (value, why) => {
    expect(() => parseDigest(value, 'the `digest` input')).toThrow(
      expect.objectContaining({
        code: 'DIGEST_INVALID',
        message: expect.stringMatching(why) as unknown,
      }),
    );
    expect(() => parseDigest(value, 'the `digest` input')).toThrow(/the `digest` input/);
  });
});
