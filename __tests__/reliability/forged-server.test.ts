/**
 * What a hostile or odd trust server gets: a clear error, never a crash, a split view or a
 * forgotten root. The real notary-server cannot be made to serve any of this, so a forged one
 * serves trust data signed by keys the test holds (support/forged-notary.ts). Where the Go
 * notary CLI (0.7.0) judges the same bytes differently, its verdict is in the test's comment.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { NotaryClient } from '../../src/notary/client.js';
import { loadTrustedRepo } from '../../src/tuf/trusted.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { TestRepo } from '../tuf/helpers/repo.js';

let forged: ForgedNotary;
let http: HttpClient;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
  http = new HttpClient({ caPem: forged.pki.caPem, retries: 1, sleep: () => Promise.resolve() });
});
afterAll(async () => {
  await http.close();
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
  forged.gzipAll = false;
  forged.onPublish = undefined;
  forged.published.length = 0;
});

/** A repository of its own per test: GUN `<forged host>/team/app<n>`, keys held here. */
function newRepo(): TestRepo {
  return new TestRepo(`${forged.host}/team/app${++n}`, new Date());
}

function load(repo: TestRepo) {
  return loadTrustedRepo(new NotaryClient({ server: forged.origin, gun: repo.gun, http }), {
    gun: repo.gun,
  });
}

const MiB = 1 << 20;

describe('answers over the caps (defect 1)', () => {
  it('a 2 MiB timestamp is refused in one line naming the server', async () => {
    const r = newRepo();
    forged.serve(r);
    forged.intercept = (req, res) => {
      if (!req.path.endsWith('/timestamp.json')) return false;
      res.writeHead(200, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB, 0x20));
      return true;
    };
    await expect(load(r)).rejects.toMatchObject({
      code: 'HTTP_TOO_LARGE',
      message: expect.stringMatching(
        new RegExp(`^${forged.host} sent more than ${MiB} bytes for \\S+/timestamp\\.json`),
      ) as unknown,
    });
  });

  it('a validly signed 12 MiB root is read, as Go reads it', async () => {
    // Go: `notary list` accepts it (root is fetched with notary's 100 MiB MaxDownloadSize).
    const r = newRepo();
    r.signRoot(1, r.rootKeys, (root) => {
      (root as unknown as Record<string, unknown>)['padding'] = 'x'.repeat(12 * MiB);
    });
    r.publish();
    forged.serve(r);
    const repo = (await load(r))!;
    expect(repo.root.bytes.length).toBeGreaterThan(12 * MiB);
    expect(repo.targetsFor('latest')).toHaveLength(1);
  });

  it('an error page over the cap is read for its status', async () => {
    const r = newRepo();
    forged.serve(r);
    forged.intercept = (req, res) => {
      if (!req.path.includes('/_trust/tuf/root.json')) return false;
      res.writeHead(404, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB, 0x3c));
      return true;
    };
    // No root: the repository does not exist (Go: "does not have trust data").
    expect(await load(r)).toBeUndefined();
  });
});

describe('a proxy that gzips every answer (defect 6)', () => {
  it('is read through, whatever Accept-Encoding said', async () => {
    const r = newRepo();
    forged.serve(r);
    const plain = await load(r);
    forged.gzipAll = true;
    const repo = (await load(r))!;
    expect(repo.trustState()).toEqual(plain!.trustState());
  });
});
