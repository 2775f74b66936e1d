/**
 * `delete --remote` (src/signer/admin/delete.ts) against a forged trust server that answers as
 * notary-server does (support/forged-notary.ts `manage`), against the mutants StrykerJS left
 * alive: the trust data deleted with one DELETE after the root is looked for, the result
 * (whether there was anything, the server, the GUN), the log line of each case, the follow-up
 * advice to every consumer that trusted the old root (none when there was nothing), and the
 * token scopes asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteRemoteTrust, initRepository } from '../../src/signer/admin/index.js';
import { ForgedNotary } from '../support/forged-notary.js';
import { makeKey } from './admin-helpers.js';
import { quietLog } from './flows.js';

let forged: ForgedNotary;
let n = 0;

beforeAll(async () => {
  forged = await ForgedNotary.start();
});
afterAll(async () => {
  await forged.close();
});
afterEach(() => {
  forged.intercept = undefined;
});

function fresh() {
  const gun = `${forged.host}/team/delete${++n}`;
  const m = forged.manage(gun);
  const log = quietLog();
  const opts = { trustServer: forged.origin, caPem: forged.pki.caPem, repository: gun, log };
  return { gun, m, log, opts };
}

async function create(gun: string): Promise<void> {
  const root = makeKey('root');
  const repoKey = makeKey('targets', gun);
  await initRepository({
    trustServer: forged.origin,
    caPem: forged.pki.caPem,
    repository: gun,
    log: quietLog(),
    newRepository: { rootKey: () => root.key, repositoryKey: () => repoKey.key },
  });
}

/** The trust-server requests of `gun` since `from`: `METHOD name`. */
function requestsOf(gun: string, from: number): string[] {
  const prefix = `/v2/${gun}/_trust/tuf/`;
  return forged.fake.requests
    .slice(from)
    .map((r) => ({ method: r.method, path: decodeURIComponent(r.path) }))
    .filter((r) => r.path.startsWith(prefix))
    .map((r) => `${r.method} ${r.path.slice(prefix.length)}`);
}

describe('deleteRemoteTrust', () => {
  it('a repository with trust data: deleted, and every consumer of the old root told what to do', async () => {
    const { gun, m, log, opts } = fresh();
    await create(gun);
    expect(forged.repos.has(gun)).toBe(true);
    const from = forged.fake.requests.length;
    const out = await deleteRemoteTrust(opts);
    expect(requestsOf(gun, from)).toEqual(['GET root.json', 'DELETE ']);
    expect(m.deletes).toBe(1);
    expect(forged.repos.has(gun)).toBe(false);
    expect(out).toEqual({
      gun,
      server: forged.origin,
      hadTrustData: true,
      consumerSteps: [
        `Re-create the repository (\`dct signer add --key NAME.pub NAME ${gun}\`) and sign again every tag that must stay trusted: the old signatures are gone.`,
        `Docker and dct users who pulled or signed ${gun}: delete ~/.docker/trust/tuf/${gun} (or $DOCKER_CONFIG/trust/tuf/${gun}); until then they get "could not rotate trust to a new trusted root".`,
        `notary CLI users: \`notary delete ${gun}\` (local data only) before the next \`notary list\`.`,
        'Workflows using this action: delete their Actions cache entries whose key starts with dct-trust- (`gh cache delete`).',
        'Anyone pinning the old root key ID (`root-key-ids`, notary `trust_pinning`): pin the new root key ID.',
      ],
    });
    expect(log.lines).toEqual([`${gun}: deleted the trust data on ${forged.origin}`]);
    // The Go CLI finds nothing there any more.
    const go = await forged.go(['list', gun]);
    expect(go.code).not.toBe(0);
  });

  it('a repository without trust data: the DELETE is still sent, nothing to tell anyone', async () => {
    const { gun, m, log, opts } = fresh();
    const from = forged.fake.requests.length;
    const out = await deleteRemoteTrust({ ...opts, repository: ` ${gun} ` });
    expect(requestsOf(gun, from)).toEqual(['GET root.json', 'DELETE ']);
    expect(m.deletes).toBe(1);
    expect(out).toEqual({ gun, server: forged.origin, hadTrustData: false, consumerSteps: [] });
    expect(log.lines).toEqual([`${gun}: ${forged.origin} had no trust data to delete`]);
  });

  it('a refused DELETE: the error, and no line saying it was deleted', async () => {
    const { gun, m, log, opts } = fresh();
    await create(gun);
    forged.intercept = (req, res) => {
      if (req.method !== 'DELETE') return false;
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'denied', detail: {} }] }));
      return true;
    };
    const e = (await deleteRemoteTrust(opts).then(
      () => undefined,
      (err: unknown) => err,
    )) as Error & { code: string };
    expect(e.code).toBe('NOTARY_UNAUTHORIZED');
    expect(e.message).toContain(`refused to delete the trust data for ${gun} (HTTP 403)`);
    expect(m.deletes).toBe(0);
    expect(forged.repos.has(gun)).toBe(true);
    expect(log.lines).toEqual([]);
  });

  it('reads with the pull,push token and deletes with the * one', async () => {
    const { gun, opts } = fresh();
    await create(gun);
    const scopes = forged.requireTokens();
    const out = await deleteRemoteTrust(opts);
    expect(out.hadTrustData).toBe(true);
    expect(scopes).toEqual([`repository:${gun}:pull,push`, `repository:${gun}:*`]);
  });
});
