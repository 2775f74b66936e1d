import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CliContext,
  REPOSITORY_PASSPHRASE_VAR,
  ROOT_PASSPHRASE_VAR,
  type CliIO,
} from '../../src/cli/context.js';
import { DctError } from '../../src/errors.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { encodePem } from '../../src/keys/pem.js';
import { REPO_PASS, ROOT_PASS, ScriptedTerminal, tempHome, type Home } from './helpers.js';

function context(
  env: Record<string, string | undefined>,
  opts: { terminal?: ScriptedTerminal; debug?: boolean } = {},
): { ctx: CliContext; stderr: string[] } {
  const stderr: string[] = [];
  const io: CliIO = {
    env,
    cwd: '/',
    stdout: () => undefined,
    stderr: (t) => stderr.push(t),
    ...(opts.terminal ? { terminal: opts.terminal } : {}),
  };
  return { ctx: new CliContext(io, opts.debug ?? false), stderr };
}

async function rejects(p: Promise<unknown>, code: string): Promise<DctError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DctError);
  expect((e as DctError).code).toBe(code);
  return e as DctError;
}

describe('where docker keeps things', () => {
  it('uses DOCKER_CONFIG, else $HOME/.docker, else the user home', () => {
    const a = context({ DOCKER_CONFIG: '/cfg', HOME: '/home/x' }).ctx;
    expect(a.dockerConfigDir).toBe('/cfg');
    expect(a.keyStore.dir).toBe('/cfg/trust/private');
    expect(a.tufStore.dir).toBe('/cfg/trust/tuf');
    expect(context({ HOME: '/home/x' }).ctx.dockerConfigDir).toBe('/home/x/.docker');
    expect(context({ DOCKER_CONFIG: '', HOME: '/home/x' }).ctx.dockerConfigDir).toBe(
      '/home/x/.docker',
    );
    expect(context({}).ctx.dockerConfigDir).toBe(join(homedir(), '.docker'));
  });

  it('reads the trust server from DOCKER_CONTENT_TRUST_SERVER (blank = none)', () => {
    expect(context({ DOCKER_CONTENT_TRUST_SERVER: ' https://n.example ' }).ctx.trustServer).toBe(
      'https://n.example',
    );
    expect(context({ DOCKER_CONTENT_TRUST_SERVER: '  ' }).ctx.trustServer).toBeUndefined();
  });
});

describe('passphrase', () => {
  it('takes the variable and asks nothing', async () => {
    const terminal = new ScriptedTerminal([]);
    const { ctx } = context(
      { [ROOT_PASSPHRASE_VAR]: 'root-env', [REPOSITORY_PASSPHRASE_VAR]: 'repo-env' },
      { terminal },
    );
    await expect(ctx.passphrase('root')).resolves.toBe('root-env');
    await expect(ctx.passphrase('repository', { newKey: true })).resolves.toBe('repo-env');
    expect(terminal.asked).toEqual([]);
  });

  it('asks twice, without echo, for a new key, and remembers the answer', async () => {
    const terminal = new ScriptedTerminal(['long-enough-1', 'long-enough-1']);
    const { ctx } = context({ [REPOSITORY_PASSPHRASE_VAR]: '' }, { terminal });
    await expect(
      ctx.passphrase('repository', { newKey: true, what: 'the new alice key' }),
    ).resolves.toBe('long-enough-1');
    expect(terminal.asked).toEqual([
      { question: 'Enter passphrase for new alice key: ', secret: true },
      { question: 'Repeat passphrase for new alice key: ', secret: true },
    ]);
    await expect(ctx.passphrase('repository')).resolves.toBe('long-enough-1');
    expect(terminal.asked).toHaveLength(2);
    expect(ctx.redactor.redact('x long-enough-1 y')).toBe('x *** y');
  });

  it('asks once for an existing key, and accepts a short one', async () => {
    const terminal = new ScriptedTerminal(['short']);
    const { ctx } = context({}, { terminal });
    await expect(ctx.passphrase('root')).resolves.toBe('short');
    expect(terminal.asked.map((a) => a.question)).toEqual(['Enter passphrase for the root key: ']);
  });

  it('refuses two different answers for a new key', async () => {
    const terminal = new ScriptedTerminal(['first-passphrase', 'other-passphrase']);
    const { ctx } = context({}, { terminal });
    const e = await rejects(ctx.passphrase('root', { newKey: true }), 'PASSPHRASE_MISMATCH');
    expect(e.message).toBe('the passphrases for the root key do not match');
  });

  it('refuses a short new passphrase before asking again, and an empty one', async () => {
    const short = new ScriptedTerminal(['1234567']);
    const e = await rejects(
      context({}, { terminal: short }).ctx.passphrase('repository', { newKey: true }),
      'PASSPHRASE_SHORT',
    );
    expect(e.message).toContain('shorter than 8 characters');
    expect(short.asked).toHaveLength(1);
    const empty = new ScriptedTerminal(['']);
    await rejects(context({}, { terminal: empty }).ctx.passphrase('root'), 'PASSPHRASE_EMPTY');
  });

  it('names the variable to set when there is no terminal', async () => {
    const { ctx } = context({ [ROOT_PASSPHRASE_VAR]: '' });
    const root = await rejects(ctx.passphrase('root'), 'PASSPHRASE_MISSING');
    expect(root.message).toBe(
      `a passphrase for the root key is needed and there is no terminal to ask on; set ${ROOT_PASSPHRASE_VAR}`,
    );
    const repo = await rejects(ctx.passphrase('repository'), 'PASSPHRASE_MISSING');
    expect(repo.message).toContain(`set ${REPOSITORY_PASSPHRASE_VAR}`);
  });

  it('confirm: y or yes on a terminal, undefined without one', async () => {
    const terminal = new ScriptedTerminal(['y', 'YES', 'no', '']);
    const { ctx } = context({}, { terminal });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await ctx.confirm('Remove?'));
    expect(answers).toEqual([true, true, false, false]);
    expect(terminal.asked[0]).toEqual({ question: 'Remove? [y/N] ', secret: false });
    await expect(context({}).ctx.confirm('Remove?')).resolves.toBeUndefined();
  });
});

/** Writes a new key into the home's key directory as notary does; returns its ID. */
async function addKey(
  home: Home,
  passphrase: string,
  headers: { role: string; gun?: string },
): Promise<string> {
  const key = generateKey('ecdsa');
  const id = keyIdOf(tufKeyFromKeyObject(key));
  await mkdir(home.private, { recursive: true, mode: 0o700 });
  await writeFile(join(home.private, `${id}.key`), encryptNotaryKey(key, passphrase, headers), {
    mode: 0o600,
  });
  return id;
}

describe('openKeys', () => {
  const A = 'registry.example/acme/app';
  const B = 'registry.example/acme/other';

  async function directory(home: Home) {
    return {
      root: await addKey(home, ROOT_PASS, { role: 'root' }),
      targetsA: await addKey(home, REPO_PASS, { role: 'targets', gun: A }),
      snapshotA: await addKey(home, REPO_PASS, { role: 'snapshot', gun: A }),
      // another repository's key, under a passphrase nobody gave: never touched
      targetsB: await addKey(home, 'b-passphrase-0000', { role: 'targets', gun: B }),
      alice: await addKey(home, REPO_PASS, { role: 'alice' }),
    };
  }

  const env = (home: Home, extra: Record<string, string | undefined> = {}) => ({
    DOCKER_CONFIG: home.config,
    [ROOT_PASSPHRASE_VAR]: ROOT_PASS,
    [REPOSITORY_PASSPHRASE_VAR]: REPO_PASS,
    ...extra,
  });

  it("opens a repository's own keys and the delegation keys, not another repository's", async () => {
    const home = await tempHome();
    const ids = await directory(home);
    const { ctx, stderr } = context(env(home));
    const ring = await ctx.openKeys('signing', A);
    expect(ring.ids().sort()).toEqual([ids.targetsA, ids.snapshotA, ids.alice].sort());
    ring.dispose();
    const all = await ctx.openKeys('all', A);
    expect(all.ids().sort()).toEqual([ids.root, ids.targetsA, ids.snapshotA, ids.alice].sort());
    all.dispose();
    const root = await ctx.openKeys('root');
    expect(root.ids()).toEqual([ids.root]);
    root.dispose();
    expect(stderr).toEqual([]);
  });

  it('leaves out with a warning a key another passphrase opens', async () => {
    const home = await tempHome();
    const ids = await directory(home);
    const bob = await addKey(home, 'bob-passphrase-00', { role: 'bob' });
    const { ctx, stderr } = context(env(home));
    const ring = await ctx.openKeys('signing', A);
    expect(ring.ids().includes(bob)).toBe(false);
    expect(ring.ids().sort()).toEqual([ids.targetsA, ids.snapshotA, ids.alice].sort());
    ring.dispose();
    expect(stderr).toEqual([
      `warning: bob key ${bob}.key is not opened by the passphrase given and is not used\n`,
    ]);
  });

  it('fails naming the variable and the keys when none of a kind opens', async () => {
    const home = await tempHome();
    await directory(home);
    const { ctx } = context(env(home, { [REPOSITORY_PASSPHRASE_VAR]: 'wrong-passphrase' }));
    const e = await rejects(ctx.openKeys('signing', A), 'KEY_BAD_PASSPHRASE');
    expect(e.message).toContain(`the passphrase (${REPOSITORY_PASSPHRASE_VAR}) does not open`);
    expect(e.message).toContain('targets key');
    expect(e.message).toContain('alice key');
    expect(e.message).not.toContain('wrong-passphrase');
    const r = context(env(home, { [ROOT_PASSPHRASE_VAR]: 'wrong-passphrase' })).ctx;
    const re = await rejects(r.openKeys('root'), 'KEY_BAD_PASSPHRASE');
    expect(re.message).toContain(ROOT_PASSPHRASE_VAR);
  });

  it('warns of a key kept unencrypted, as the action does', async () => {
    const home = await tempHome();
    const key = generateKey('ecdsa');
    const id = keyIdOf(tufKeyFromKeyObject(key));
    await mkdir(home.private, { recursive: true });
    const der = key.export({ type: 'pkcs8', format: 'der' });
    await writeFile(
      join(home.private, `${id}.key`),
      encodePem({ type: 'PRIVATE KEY', headers: { role: 'plain' }, der }),
    );
    const { ctx, stderr } = context(env(home));
    const ring = await ctx.openKeys('signing');
    expect(ring.ids()).toEqual([id]);
    ring.dispose();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^warning: the plain key [0-9a-f]{7} \(.*\.key\) is not encrypted/);
  });

  it('asks only for the passphrases of kinds of key that are there', async () => {
    const home = await tempHome();
    const alice = await addKey(home, REPO_PASS, { role: 'alice' });
    // no root key, no root passphrase, no terminal: no question, no error
    const { ctx } = context(env(home, { [ROOT_PASSPHRASE_VAR]: undefined }));
    const ring = await ctx.openKeys('all', A);
    expect(ring.ids()).toEqual([alice]);
    ring.dispose();
    const empty = await tempHome();
    const none = await context({ DOCKER_CONFIG: empty.config }).ctx.openKeys('all');
    expect(none.ids().length).toBe(0);
  });
});

describe('connection', () => {
  it("reads each server's CA from tls/<host[:port]>/ca.crt", async () => {
    const home = await tempHome();
    for (const [host, pem] of [
      ['notary.example:4443', 'NOTARY CA'],
      ['registry.example:5000', 'REGISTRY CA'],
      ['unrelated.example', 'OTHER CA'],
    ]) {
      await mkdir(join(home.config, 'tls', host), { recursive: true });
      await writeFile(join(home.config, 'tls', host, 'ca.crt'), pem);
    }
    const { ctx } = context({
      DOCKER_CONFIG: home.config,
      DOCKER_CONTENT_TRUST_SERVER: 'https://notary.example:4443',
    });
    const c = ctx.connection(['registry.example:5000/acme/app']);
    expect(c.trustServer).toBe('https://notary.example:4443');
    expect(c.dockerConfigDir).toBe(home.config);
    expect(c.caPem).toContain('NOTARY CA');
    expect(c.caPem).toContain('REGISTRY CA');
    expect(c.caPem).not.toContain('OTHER CA');
    expect(c.requestLog).toBeUndefined();
    c.onSecret?.('token-abc');
    expect(ctx.redactor.redact('Bearer token-abc')).toBe('Bearer ***');
  });

  it('finds the CA under the host as the server is written, default port included', async () => {
    const home = await tempHome();
    await mkdir(join(home.config, 'tls', 'notary.example:443'), { recursive: true });
    await writeFile(join(home.config, 'tls', 'notary.example:443', 'ca.crt'), 'PORT 443 CA');
    const { ctx } = context({
      DOCKER_CONFIG: home.config,
      DOCKER_CONTENT_TRUST_SERVER: 'https://notary.example:443',
    });
    expect(ctx.connection(['registry.example/acme/app']).caPem).toBe('PORT 443 CA');
  });

  it('has no CA of its own when there is no file, and logs requests with --debug', async () => {
    const home = await tempHome();
    const { ctx, stderr } = context({ DOCKER_CONFIG: home.config }, { debug: true });
    const c = ctx.connection(['registry.example:5000/acme/app', 'not a repo!']);
    expect(c.caPem).toBeUndefined();
    c.requestLog?.('GET https://x/v2/');
    expect(stderr).toEqual(['debug: GET https://x/v2/\n']);
  });
});
