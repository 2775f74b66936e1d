/**
 * The state machine and the metadata producers against the real notary-server and CLI:
 * the repository the Go CLI lays out loads and verifies, and files our code writes are
 * accepted by the server (which re-serializes them to hash them, notary-spec.md §3.3) and
 * read back by the Go CLI from an empty trust dir.
 */
import { createHash } from 'node:crypto';
import { Agent, fetch, FormData } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf, type TufKey } from '../../src/keys/keyid.js';
import { targetFile, targetSha256 } from '../../src/tuf/models.js';
import type { MetaFetcher } from '../../src/tuf/checks.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { createTrustedRepo, NotaryCli, passphraseEnv } from '../support/notary-cli.js';
import { ensurePackages, startSandbox, type Sandbox } from '../support/servers.js';
import { TestRepo } from './helpers/repo.js';

let sb: Sandbox;
let agent: Agent;

beforeAll(async () => {
  await ensurePackages();
  sb = await startSandbox();
  agent = new Agent({ connect: { ca: sb.caPem } });
});
afterAll(async () => {
  await agent?.close();
  await sb?.stop();
});

const base = (gun: string) => `${sb.notary.url}/v2/${gun}/_trust/tuf`;

function httpFetcher(gun: string): MetaFetcher & { requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    async fetch(role, opts = {}) {
      const name =
        opts.version !== undefined
          ? `${opts.version}.${role}`
          : opts.sha256 !== undefined
            ? `${role}.${opts.sha256}`
            : role;
      requests.push(name);
      const res = await fetch(`${base(gun)}/${name}.json`, { dispatcher: agent });
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw new Error(`GET ${name}: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
  };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('loadTrustedRepo against a repository the notary CLI made in docker layout', () => {
  it('verifies root, server snapshot, targets and the signed delegation', async () => {
    const gun = `${sb.registry.host}/tuf/cli`;
    const repo = await createTrustedRepo(sb, gun, { signer: 'ci' });
    const env = passphraseEnv(repo.passphrase, repo.rootPassphrase);
    await repo.cli.addTarget(gun, 'v1&<>é', { digest: `sha256:${sha256('m1')}`, size: 2 }, env, [
      'targets/releases',
    ]);

    const fetcher = httpFetcher(gun);
    const trusted = (await loadTrustedRepo(fetcher, { gun }))!;
    expect([...trusted.targets.keys()]).toEqual(['targets', 'targets/releases']);
    // `delegation add` alone creates no file for targets/ci.
    expect(trusted.delegation('targets/ci')?.file).toBe('absent');
    const hits = trusted.targetsFor('v1&<>é');
    expect(hits.map((h) => h.role)).toEqual(['targets/releases']);
    expect(targetSha256(hits[0].target)).toBe(sha256('m1'));
    expect(trusted.delegation('targets/releases')?.role.keyids).toEqual([
      trusted.delegation('targets/ci')!.role.keyids[0],
    ]);

    // Loading again with the saved state: same root, versions not lower.
    const again = await loadTrustedRepo(httpFetcher(gun), { gun, trusted: trusted.trustState() });
    expect(again?.root.bytes).toEqual(trusted.root.bytes);

    // A 404 root is "no repository yet".
    expect(
      await loadTrustedRepo(httpFetcher(`${gun}-none`), { gun: `${gun}-none` }),
    ).toBeUndefined();
  });
});

describe('metadata our code writes', () => {
  it('is accepted by notary-server with a server-managed snapshot and read by the Go CLI', async () => {
    const gun = `${sb.registry.host}/tuf/ours`;
    const r = new TestRepo(gun, new Date());
    // Timestamp and snapshot keys are the server's, as in docker's layout.
    for (const role of ['timestamp', 'snapshot'] as const) {
      const res = await fetch(`${base(gun)}/${role}.key`, { dispatcher: agent });
      const k = (await res.json()) as { keytype: string; keyval: { public: string } };
      const tuf: TufKey = {
        keytype: k.keytype,
        keyval: { private: null, public: k.keyval.public },
      };
      const held = { ...r.timestampKey, tuf, id: keyIdOf(tuf) };
      if (role === 'timestamp') r.timestampKey = held;
      else r.snapshotKey = held;
    }
    r.signRoot(1);
    const hex = sha256('manifest');
    r.setTargets('targets', (t) => (t.targets['a&b<c>é\u2028'] = targetFile(hex, 8)));
    r.delegate('targets', 'targets/releases');
    r.delegate('targets', 'targets/ci');
    r.setTargets('targets/releases', (t) => (t.targets['v1&<>é'] = targetFile(hex, 8)));

    const form = new FormData();
    form.append('files', new Blob([r.root.bytes]), 'root');
    for (const [role, env] of r.targets) form.append('files', new Blob([env.bytes]), role);
    const res = await fetch(`${base(gun)}/`, { method: 'POST', body: form, dispatcher: agent });
    expect(res.status, await res.text()).toBe(200);

    // The server hashed its re-serialization of our files: the Go CLI checks those hashes
    // against our bytes, so this passes only if our bytes are exactly Go's.
    const cli = new NotaryCli(sb);
    const listed = await cli.list(gun);
    expect(listed.map((t) => [t.name, t.role]).sort()).toEqual(
      [
        // parseList splits names at \s, which in JS includes U+2028.
        ['a&b<c>é', 'targets'],
        ['latest', 'targets'],
        ['v1&<>é', 'targets/releases'],
      ].sort(),
    );
    expect(listed.find((t) => t.role === 'targets/releases')?.digest).toBe(`sha256:${hex}`);

    const trusted = (await loadTrustedRepo(httpFetcher(gun), { gun }))!;
    expect([...trusted.targets.keys()]).toEqual(['targets', 'targets/releases']);
    expect(trusted.targetsFor('a&b<c>é\u2028').map((h) => h.role)).toEqual(['targets']);
    expect(trusted.delegation('targets/ci')?.file).toBe('absent');
    expect(trusted.keysOf('snapshot')?.keyids).toEqual([r.snapshotKey.id]);
  });
});
