// NotaryClient against the real notary-server (Debian 0.7.0) with token auth, on a repository
// the Go notary CLI created as docker lays it out.
import { httpFailure } from '../http/fake-server.js';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { keyIdOf } from '../../src/keys/keyid.js';
import { NotaryClient } from '../../src/notary/client.js';
import { createTrustedRepo, type TrustedRepo } from '../support/notary-cli.js';
import { DEFAULT_USERS, NOTARY_SERVICE, startSandbox, type Sandbox } from '../support/servers.js';

const [user, password] = Object.entries(DEFAULT_USERS)[0];
const credentials = { username: user, password };

let sb: Sandbox;
let http: HttpClient;
let repo: TrustedRepo;
let gun: string;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const b64ToHex = (s: string): string => Buffer.from(s, 'base64').toString('hex');

interface Meta {
  signed: {
    meta: Record<string, { hashes: { sha256: string }; length: number }>;
    roles: Record<string, { keyids: string[] }>;
    keys: Record<string, { keytype: string; keyval: { public: string } }>;
    version: number;
  };
}
const parse = (b: Buffer): Meta => JSON.parse(b.toString('utf8')) as Meta;

function client(opts: { write?: boolean; password?: string } = {}): NotaryClient {
  return new NotaryClient({
    server: sb.notary.url,
    gun,
    http,
    write: opts.write ?? false,
    credentials: { username: user, password: opts.password ?? password },
  });
}

const failure = httpFailure;

beforeAll(async () => {
  sb = await startSandbox({ notaryAuth: true });
  http = new HttpClient({ caPem: sb.caPem });
  // A GUN with the registry's host:port, as docker names it (§7.5).
  gun = `${sb.registry.host}/team/app`;
  repo = await createTrustedRepo(sb, gun, { signer: 'ci' });
});
afterAll(async () => {
  await http?.close();
  await sb?.stop();
});

describe('NotaryClient against notary-server', () => {
  it('walks timestamp → snapshot → root/targets by checksum, as the Go client does', async () => {
    const c = client();
    const timestamp = (await c.fetch('timestamp'))!;
    const snapMeta = parse(timestamp).signed.meta.snapshot;
    const snapshot = (await c.fetch('snapshot', {
      sha256: b64ToHex(snapMeta.hashes.sha256),
      maxLength: snapMeta.length,
    }))!;
    expect(sha256(snapshot)).toBe(b64ToHex(snapMeta.hashes.sha256));
    expect(snapshot.length).toBe(snapMeta.length);

    const meta = parse(snapshot).signed.meta;
    // Delegation files exist only once something was signed into them.
    expect(Object.keys(meta)).toEqual(expect.arrayContaining(['root', 'targets']));
    for (const [role, m] of Object.entries(meta)) {
      const bytes = (await c.fetch(role, { sha256: b64ToHex(m.hashes.sha256) }))!;
      expect(sha256(bytes), role).toBe(b64ToHex(m.hashes.sha256));
      expect(bytes.length, role).toBe(m.length);
    }
    const current = (await c.fetch('root'))!;
    expect(sha256(current)).toBe(b64ToHex(meta.root.hashes.sha256));
    const v1 = (await c.fetch('root', { version: 1 }))!;
    expect(parse(v1).signed.version).toBe(1);
  });

  it('returns undefined for metadata the server does not have', async () => {
    const c = client();
    expect(await c.fetch('snapshot', { sha256: '0'.repeat(64) })).toBeUndefined();
    expect(await c.fetch('root', { version: 99 })).toBeUndefined();
    const empty = new NotaryClient({
      server: sb.notary.url,
      gun: `${sb.registry.host}/never/created`,
      http,
      credentials,
    });
    expect(await empty.fetch('root')).toBeUndefined();
  });

  it('getKey returns the keys root.json names for the server-held roles', async () => {
    const c = client({ write: true });
    const root = parse((await c.fetch('root'))!);
    for (const role of ['timestamp', 'snapshot'] as const) {
      const key = await c.getKey(role);
      expect(key.keyval.private).toBeNull();
      expect(root.signed.roles[role].keyids).toEqual([keyIdOf(key)]);
    }
  });

  it('uses one pull,push token for the whole write session', async () => {
    const before = sb.token!.requests.length;
    const c = client({ write: true });
    await c.fetch('timestamp');
    await c.fetch('root');
    await c.getKey('snapshot');
    const mine = sb.token!.requests.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      scope: `repository:${gun}:pull,push`,
      service: NOTARY_SERVICE,
      user,
      granted: [`repository:${gun}:pull,push`],
    });
  });

  it('asks for pull only when not writing', async () => {
    const before = sb.token!.requests.length;
    await client().fetch('timestamp');
    expect(sb.token!.requests.slice(before).map((r) => r.scope)).toEqual([
      `repository:${gun}:pull`,
    ]);
  });

  it('reports a re-upload of the current targets as NOTARY_VERSION', async () => {
    const c = client({ write: true });
    const targets = (await c.fetch('targets'))!;
    const err = await failure(c.publish(new Map([['targets', targets]])));
    expect(err.code).toBe('NOTARY_VERSION');
    expect(err.status).toBe(400);
    expect(err.body).toContain('"VERSION"');
  });

  it('reports the first publish of a GUN without root as NOTARY_REJECTED with the detail', async () => {
    const c = new NotaryClient({
      server: sb.notary.url,
      gun: `${sb.registry.host}/fresh/app`,
      http,
      credentials,
      write: true,
    });
    const targets = (await client().fetch('targets'))!;
    const err = await failure(c.publish(new Map([['targets', targets]])));
    expect(err.code).toBe('NOTARY_REJECTED');
    expect(err.message).toContain('no pre-existing root and no root provided in update.');
  });

  it('reports an upload under an invalid role name as NOTARY_REJECTED (INVALID_ROLE)', async () => {
    const err = await failure(
      client({ write: true }).publish(new Map([['notarole', Buffer.from('{}')]])),
    );
    expect(err.code).toBe('NOTARY_REJECTED');
    expect(err.message).toContain('notarole');
  });

  it('reports a wrong password as NOTARY_UNAUTHORIZED without the password', async () => {
    const c = client({ write: true, password: 'wrong-password-x' });
    const err = await failure(c.publish(new Map([['targets', Buffer.from('{}')]])));
    expect(err.code).toBe('NOTARY_UNAUTHORIZED');
    expect(err.message).toContain(`must grant push on ${gun}`);
    expect(err.message).not.toContain('wrong-password-x');
    const read = await failure(c.fetch('root'));
    expect(read.code).toBe('NOTARY_UNAUTHORIZED');
  });

  it('is refused push without credentials', async () => {
    const anon = new NotaryClient({ server: sb.notary.url, gun, http, write: true });
    const err = await failure(anon.getKey('timestamp'));
    expect(err.code).toBe('NOTARY_UNAUTHORIZED');
    // …while anonymous pull works, as on Docker Hub
    const reader = new NotaryClient({ server: sb.notary.url, gun, http });
    expect(await reader.fetch('root')).toBeInstanceOf(Buffer);
  });

  it('left the CLI-made repository intact', async () => {
    const listed = await repo.cli.run(['list', gun]);
    expect(listed.code).toBe(0);
  });
});
