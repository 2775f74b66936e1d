/**
 * The bundled action (dist) against a forged trust server and registry: answers over the size
 * caps end the step with one `::error::` line naming the server, never a crash
 * (`Unhandled 'error' event`), and a ping answer over its cap does not stop a publish.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptNotaryKey } from '../../src/keys/encrypt.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { runActionStep, type ActionRun } from '../support/runner.js';
import { TestRepo } from '../tuf/helpers/repo.js';

const MiB = 1 << 20;
let forged: ForgedNotary;
let dir: string;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
  dir = await mkdtemp(join(tmpdir(), 'dct-hostile-'));
});
afterAll(async () => {
  await forged?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A repository with `v1` pushed to the forged registry, served by the forged trust server. */
function setUp(): { repo: TestRepo; image: string } {
  const name = `team/hostile${++n}`;
  const repo = new TestRepo(`${forged.host}/${name}`, new Date());
  forged.pushImage(name, 'v1');
  forged.serve(repo);
  return { repo, image: `${forged.host}/${name}:v1` };
}

function run(inputs: Record<string, string>): Promise<ActionRun> {
  return runActionStep('main', {
    inputs: {
      'trust-server': forged.origin,
      'ca-cert': forged.pki.caPem,
      cache: 'false',
      ...inputs,
    },
    workDir: join(dir, `run-${n}-${Math.random().toString(36).slice(2)}`),
  });
}

function expectOneError(r: ActionRun, message: RegExp): void {
  expect(r.stderr).not.toMatch(/Unhandled|RequestAbortedError|at .*\(/);
  expect(r.code).toBe(1);
  expect(r.failed).toHaveLength(1);
  expect(r.failed[0]).toMatch(message);
}

/** Answers `match`ing requests with a 200 declaring and sending `size` bytes. */
function oversized(match: RegExp, size: number, status = 200): void {
  forged.intercept = (req, res) => {
    if (!match.test(req.path)) return false;
    res.writeHead(status, { 'content-length': String(size) }).end(Buffer.alloc(size, 0x20));
    return true;
  };
}

describe('the bundled action against answers over the caps', () => {
  it('verify: a 2 MiB timestamp is one ::error:: line naming the server', async () => {
    const { image } = setUp();
    oversized(/\/timestamp\.json$/, 2 * MiB);
    const r = await run({ command: 'verify', images: image });
    expectOneError(
      r,
      new RegExp(`${forged.host} sent more than ${MiB} bytes for .*timestamp\\.json`),
    );
  });

  it('verify: a 5 MiB manifest is one ::error:: line naming the image', async () => {
    const { image } = setUp();
    oversized(/\/manifests\/v1$/, 5 * MiB);
    const r = await run({ command: 'verify', images: image });
    expectOneError(r, /manifest is larger than 4194304 bytes/);
  });

  it('sign: a 100 KiB ping answer does not stop the publish (Go completes it too)', async () => {
    const { repo, image } = setUp();
    forged.storeInto(repo);
    oversized(/^\/v2\/$/, 100 * 1024);
    const keys = encryptNotaryKey(repo.targetsKey.key, 'pass-phrase-1', {
      role: 'targets',
      gun: repo.gun,
    });
    const r = await run({ command: 'sign', images: image, keys, passphrase: 'pass-phrase-1' });
    expect(r.stderr).not.toMatch(/Unhandled/);
    expect(r.failed).toEqual([]);
    expect(forged.published).toHaveLength(1);
    expect(JSON.parse(r.outputs.signed)).toMatchObject([{ image, roles: ['targets'] }]);
  });
});
