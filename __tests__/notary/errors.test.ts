import { describe, expect, it } from 'vitest';
import type { HttpResponse } from '../../src/http/client.js';
import { notaryError } from '../../src/notary/errors.js';

const URL_ = 'https://notary.example:4443/v2/reg.io/a/_trust/tuf/';
const ctx = { gun: 'reg.io/a', action: 'publish', roles: ['targets', 'snapshot'] };

function res(status: number, body: unknown): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, headers: {}, body: Buffer.from(text), url: URL_ };
}

const err = (code: string, message: string, detail?: unknown): unknown => ({
  errors: [{ code, message, detail }],
});

describe('notaryError (notary-spec.md §5.6 bodies)', () => {
  it.each([
    [
      'no root on first publish',
      err('INVALID_UPDATE', 'Update sent by the client is invalid.', {
        Name: 'ErrValidation',
        Error: { Msg: 'no pre-existing root and no root provided in update.' },
      }),
      'NOTARY_REJECTED',
      'ErrValidation: no pre-existing root and no root provided in update.',
    ],
    [
      'bad root',
      err('INVALID_UPDATE', 'x', {
        Name: 'ErrBadRoot',
        Error: {
          Msg: 'could not validate the path to a trusted root: unable to retrieve valid leaf certificates',
        },
      }),
      'NOTARY_REJECTED',
      'ErrBadRoot: could not validate the path to a trusted root',
    ],
    [
      'targets threshold',
      err('INVALID_UPDATE', 'x', {
        Name: 'ErrBadTargets',
        Error: { Msg: 'valid signatures did not meet threshold for targets' },
      }),
      'NOTARY_REJECTED',
      'ErrBadTargets: valid signatures did not meet threshold for targets',
    ],
    [
      'missing snapshot',
      err('INVALID_UPDATE', 'x', {
        Name: 'ErrBadHierarchy',
        Error: { Missing: 'snapshot', Msg: 'no snapshot was included in update' },
      }),
      'NOTARY_SNAPSHOT_KEY_MISSING',
      'does not hold the snapshot key of reg.io/a',
    ],
    [
      'old version',
      err('VERSION', 'A newer version of metadata is already available.', {}),
      'NOTARY_VERSION',
      'newer version',
    ],
    ['malformed upload', err('MALFORMED_UPLOAD', 'm'), 'NOTARY_REJECTED', 'MALFORMED_UPLOAD'],
    [
      'gun prefix',
      err('INVALID_GUN', 'g', 'Require GUNs with prefix: [docker.io/]'),
      'NOTARY_INVALID_GUN',
      'Require GUNs with prefix: [docker.io/]',
    ],
    ['not JSON', 'oops', 'NOTARY_REJECTED', 'no error code'],
  ])('%s', (_name, body, code, text) => {
    const e = notaryError(res(400, body), ctx);
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
    expect(e.message).toContain('reg.io/a');
    expect(e.message).not.toContain('\n');
    expect(e.status).toBe(400);
    expect(e.body).toBe(typeof body === 'string' ? body : JSON.stringify(body));
  });

  it('explains INVALID_ROLE for delegation names cut at "/" (§5.3)', () => {
    const body = err(
      'INVALID_ROLE',
      'The role you are attempting to operate on is invalid.',
      'releases',
    );
    const cut = notaryError(res(400, body), { ...ctx, roles: ['targets/releases'] });
    expect(cut.code).toBe('NOTARY_REJECTED');
    expect(cut.message).toContain('targets/releases');
    expect(cut.message).toContain('#1630');
    const plain = notaryError(res(400, body), { ...ctx, roles: ['targets'] });
    expect(plain.message).not.toContain('#1630');
    expect(plain.message).toContain('INVALID_ROLE');
  });

  it('asks for push only where the request needed it', () => {
    const e = notaryError(res(401, err('UNAUTHORIZED', 'm')), { ...ctx, write: true });
    expect(e.message).toContain('must grant push and pull on reg.io/a');
  });

  it('keeps server text short and on one line', () => {
    const long = `${'A'.repeat(5_000)}\n<b>`;
    const e = notaryError(res(400, err(long, 'm', long)), ctx);
    expect(e.message.length).toBeLessThan(600);
    expect(e.message).not.toContain('\n');
  });

  it.each([
    [401, 'NOTARY_UNAUTHORIZED', 'must grant pull on reg.io/a'],
    [403, 'NOTARY_UNAUTHORIZED', 'registry-username/registry-password'],
    [404, 'NOTARY_NOT_FOUND', 'notary server'],
    [500, 'NOTARY_SERVER_ERROR', 'HTTP 500 UPDATING'],
    [503, 'NOTARY_SERVER_ERROR', 'try again later'],
    [418, 'NOTARY_SERVER_ERROR', 'HTTP 418'],
  ])('maps HTTP %i to %s', (status, code, text) => {
    const e = notaryError(res(status, err(status === 500 ? 'UPDATING' : 'X', 'm')), ctx);
    expect(e.code).toBe(code);
    expect(e.message).toContain(text);
    expect(e.message).toContain('notary.example:4443');
    expect(e.status).toBe(status);
  });
});
