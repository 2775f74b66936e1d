import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { parsePem } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { readTar } from '../../src/keys/tar.js';
import { FIXTURES, fixtureText, manifest } from '../keys/helpers.js';
import {
  dct,
  lines,
  REPO_PASS,
  ROOT_PASS,
  ScriptedTerminal,
  tempHome,
  type Home,
} from './helpers.js';

const run = promisify(execFile);
const NO_PASS = {
  DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined,
  DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: undefined,
};

/** The key ID of a `PUBLIC KEY` file as dct writes it. */
function pubKeyId(pem: string): string {
  const [block] = parsePem(pem);
  expect(block.type).toBe('PUBLIC KEY');
  const key = createPublicKey({ key: block.der, format: 'der', type: 'spki' });
  return keyIdOf(tufKeyFromKeyObject(key));
}

/** Opens key files as the action opens its `keys` input. */
function openAsAction(secret: string, passphrase = REPO_PASS, rootPassphrase?: string): KeyRing {
  const { files } = readKeySecret(secret, () => undefined);
  return KeyRing.open(files, {
    passphrase,
    ...(rootPassphrase ? { rootPassphrase } : {}),
    include: rootPassphrase ? 'all' : 'signing',
  });
}

async function generate(home: Home, name: string): Promise<string> {
  const r = await dct(home, ['key', 'generate', name]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return pubKeyId(await readFile(join(home.cwd, `${name}.pub`), 'utf8'));
}

describe('key generate', () => {
  it('writes the public key here and the encrypted private key in the directory', async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'generate', 'alice']);
    expect(r.code).toBe(0);
    const pubPath = join(home.cwd, 'alice.pub');
    expect(lines(r.stdout)).toEqual([
      'Generating key for alice...',
      `Successfully generated and loaded private key. Corresponding public key available: ${pubPath}`,
    ]);
    const pub = await readFile(pubPath, 'utf8');
    expect(pub).toMatch(/^-----BEGIN PUBLIC KEY-----\nrole: alice\n\n/);
    const id = pubKeyId(pub);
    expect(await readdir(home.private)).toEqual([`${id}.key`]);
    const keyPath = join(home.private, `${id}.key`);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(home.private)).mode & 0o777).toBe(0o700);
    const pem = await readFile(keyPath, 'utf8');
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\nrole: alice\n\n/);
    const ring = openAsAction(pem);
    expect(ring.ids()).toEqual([id]);
    expect(ring.held()[0]).toMatchObject({ keytype: 'ecdsa', role: 'alice' });
    ring.dispose();
    expect(() => openAsAction(pem, 'another-passphrase')).toThrow(/could not be decrypted/);
  });

  it('writes the public key into --dir, relative to the current directory', async () => {
    const home = await tempHome();
    await mkdir(join(home.cwd, 'pubs'));
    const r = await dct(home, ['key', 'generate', '--dir', 'pubs', 'bob']);
    expect(r.code).toBe(0);
    expect(await readdir(join(home.cwd, 'pubs'))).toEqual(['bob.pub']);
  });

  it('asks twice for the passphrase on a terminal', async () => {
    const home = await tempHome();
    const terminal = new ScriptedTerminal(['typed-passphrase', 'typed-passphrase']);
    const r = await dct(home, ['key', 'generate', 'carol'], { env: NO_PASS, terminal });
    expect(r.code).toBe(0);
    expect(terminal.asked.map((a) => a.question)).toEqual([
      'Enter passphrase for new carol key: ',
      'Repeat passphrase for new carol key: ',
    ]);
    const [file] = await readdir(home.private);
    openAsAction(await readFile(join(home.private, file), 'utf8'), 'typed-passphrase').dispose();
  });

  it('refuses an existing name, an existing public key file and role names; writes nothing', async () => {
    const home = await tempHome();
    const id = await generate(home, 'alice');
    const again = await dct(home, ['key', 'generate', '--dir', 'elsewhere', 'alice']);
    expect(again.code).toBe(1);
    expect(lines(again.stderr)).toEqual([
      `a key named alice already exists (${id.slice(0, 7)}, ${id}.key); choose another name`,
    ]);
    await writeFile(join(home.cwd, 'dave.pub'), 'mine');
    const pubExists = await dct(home, ['key', 'generate', 'dave']);
    expect(pubExists.code).toBe(1);
    expect(lines(pubExists.stderr)).toEqual([
      `public key file already exists: ${join(home.cwd, 'dave.pub')}`,
    ]);
    expect(await readFile(join(home.cwd, 'dave.pub'), 'utf8')).toBe('mine');
    for (const name of ['root', 'targets', 'snapshot', 'timestamp']) {
      const r = await dct(home, ['key', 'generate', name]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`"${name}" is the name of a TUF role`);
    }
    for (const name of ['releases', 'Alice', '_x', 'a/b']) {
      const r = await dct(home, ['key', 'generate', name]);
      expect(r.code, name).toBe(1);
      expect(r.stderr).toMatch(/^key name: /);
    }
    expect(await readdir(home.private)).toEqual([`${id}.key`]);
    expect((await readdir(home.cwd)).sort()).toEqual(['alice.pub', 'dave.pub', 'docker']);
  });

  it('names the variable when there is no passphrase and no terminal; writes nothing', async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'generate', 'erin'], { env: NO_PASS });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('set DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE');
    expect(await readdir(home.dir)).toEqual([]);
  });

  it('leaves no public key behind when the private key cannot be written', async () => {
    const home = await tempHome();
    await mkdir(join(home.config, 'trust'), { recursive: true });
    // A key directory that can be listed but not written to (even by root): procfs.
    await symlink('/proc/self/fdinfo', home.private);
    const r = await dct(home, ['key', 'generate', 'frank']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toHaveLength(1);
    expect(lines(r.stderr)[0]).toMatch(/^cannot write the key file .*\/[0-9a-f]{64}\.key$/);
    expect(await readdir(home.cwd)).toEqual(['docker']);
  });

  it('names a key directory it cannot read', async () => {
    const home = await tempHome();
    await mkdir(join(home.config, 'trust'), { recursive: true });
    await writeFile(home.private, 'a file where the key directory should be');
    const r = await dct(home, ['key', 'generate', 'frank']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([`cannot read the key directory ${home.private}`]);
    expect(await readdir(home.cwd)).toEqual(['docker']);
  });
});

const TARGETS = manifest.keys.find((k) => k.role === 'targets')!;
const SIGNER = manifest.keys.find((k) => k.role === 'targets/releases')!;

/** A key file in the working directory, mode 0600 unless told. */
async function keyFile(home: Home, name: string, text: string, mode = 0o600): Promise<string> {
  const path = join(home.cwd, name);
  await writeFile(path, text);
  await chmod(path, mode);
  return path;
}

async function onlyKey(home: Home): Promise<{ id: string; pem: string }> {
  const files = await readdir(home.private);
  expect(files).toHaveLength(1);
  return {
    id: files[0].slice(0, -'.key'.length),
    pem: await readFile(join(home.private, files[0]), 'utf8'),
  };
}

describe('key load', () => {
  it('imports a plain key, encrypted with the repository passphrase, named signer', async () => {
    const home = await tempHome();
    await keyFile(home, 'k.pem', fixtureText('plain/sec1.pem'));
    const r = await dct(home, ['key', 'load', 'k.pem']);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([
      'Loading key from "k.pem"...',
      'Successfully imported key from k.pem',
    ]);
    const { id, pem } = await onlyKey(home);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\nrole: signer\n\n/);
    expect((await stat(join(home.private, `${id}.key`))).mode & 0o777).toBe(0o600);
    const ring = openAsAction(pem);
    expect(ring.ids()).toEqual([id]);
    ring.dispose();
  });

  it("re-encrypts a key under its own passphrase with the repository's, named --name", async () => {
    const home = await tempHome();
    const file = await keyFile(home, 'ci.key', fixtureText(SIGNER.file));
    const terminal = new ScriptedTerminal([manifest.passphrase]);
    const r = await dct(home, ['key', 'load', '--name', 'ci', file], { terminal });
    expect(r.code).toBe(0);
    expect(terminal.asked).toEqual([
      { question: `Enter passphrase for the key in ${file}: `, secret: true },
    ]);
    const { id, pem } = await onlyKey(home);
    expect(id).toBe(SIGNER.id);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\nrole: ci\n\n/);
    openAsAction(pem).dispose();
    expect(() => openAsAction(pem, manifest.passphrase)).toThrow(/could not be decrypted/);
  });

  it('opens a key already under the repository passphrase without asking', async () => {
    const home = await tempHome();
    await keyFile(home, 'ci.key', fixtureText(SIGNER.file));
    const r = await dct(home, ['key', 'load', 'ci.key'], {
      env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: manifest.passphrase },
    });
    expect(r.code).toBe(0);
    expect((await onlyKey(home)).id).toBe(SIGNER.id);
  });

  it('refuses a wrong passphrase, a file others can read, a public key, a key it has', async () => {
    const home = await tempHome();
    await keyFile(home, 'ci.key', fixtureText(SIGNER.file));
    const wrong = await dct(home, ['key', 'load', 'ci.key']);
    expect(wrong.code).toBe(1);
    expect(lines(wrong.stderr)).toEqual([
      'the passphrase (DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE) does not open ci.key',
    ]);
    const wrongTyped = await dct(home, ['key', 'load', 'ci.key'], {
      terminal: new ScriptedTerminal(['not-it-either']),
    });
    expect(wrongTyped.code).toBe(1);
    expect(wrongTyped.stderr).not.toContain('not-it-either');
    await expect(readdir(home.private)).rejects.toThrow();

    await keyFile(home, 'open.key', fixtureText(SIGNER.file), 0o644);
    const mode = await dct(home, ['key', 'load', 'open.key']);
    expect(lines(mode.stderr)).toEqual([
      'the key file open.key is readable by others (mode 644); chmod 600 it first',
    ]);
    await keyFile(home, 'pub.pem', fixtureText('plain/public.pem'));
    const pub = await dct(home, ['key', 'load', 'pub.pem']);
    expect(lines(pub.stderr)).toEqual(['pub.pem holds no private key (only PUBLIC KEY)']);
    const missing = await dct(home, ['key', 'load', 'nope.key']);
    expect(lines(missing.stderr)).toEqual(['cannot read the key file nope.key']);

    const env = { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: manifest.passphrase };
    expect((await dct(home, ['key', 'load', 'ci.key'], { env })).code).toBe(0);
    const twice = await dct(home, ['key', 'load', '--name', 'other', 'ci.key'], { env });
    expect(twice.code).toBe(1);
    expect(lines(twice.stderr)).toEqual([
      `key ${SIGNER.id.slice(0, 7)} from ci.key is already in ${home.private}; nothing was changed`,
    ]);
    expect(await readdir(home.private)).toEqual([`${SIGNER.id}.key`]);
  });
});

describe('key list', () => {
  it('says when there are no keys', async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'list']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: `No keys in ${home.private}\n` });
  });

  it('shows role, repository, ID and location of each key without opening it', async () => {
    const home = await tempHome();
    const alice = await generate(home, 'alice');
    await mkdir(home.private, { recursive: true });
    await writeFile(join(home.private, `${TARGETS.id}.key`), fixtureText(TARGETS.file));
    const r = await dct(home, ['key', 'list'], { env: NO_PASS });
    expect(r.code).toBe(0);
    const rows = lines(r.stdout).map((l) => l.split(/ {3,}/));
    expect(rows[0]).toEqual(['ROLE', 'REPOSITORY', 'KEY ID', 'LOCATION']);
    expect(rows).toContainEqual([
      'targets',
      TARGETS.gun,
      TARGETS.id,
      join(home.private, `${TARGETS.id}.key`),
    ]);
    const aliceRow = lines(r.stdout).find((l) => l.startsWith('alice'));
    expect(aliceRow?.split(/\s+/)).toEqual(['alice', alice, join(home.private, `${alice}.key`)]);
  });
});

describe('key export', () => {
  async function twoKeys(home: Home) {
    const alice = await generate(home, 'alice');
    const bob = await generate(home, 'bob');
    const file = (id: string) => readFile(join(home.private, `${id}.key`));
    return { alice, bob, aliceFile: await file(alice), bobFile: await file(bob) };
  }

  it('prints the encrypted files as they are, by name or ID prefix', async () => {
    const home = await tempHome();
    const { alice, bob, aliceFile, bobFile } = await twoKeys(home);
    const byName = await dct(home, ['key', 'export', 'alice'], { env: NO_PASS });
    expect(byName.code).toBe(0);
    expect(byName.stdoutBytes).toEqual(aliceFile);
    const byId = await dct(home, ['key', 'export', bob.slice(0, 7), 'alice']);
    expect(byId.stdoutBytes).toEqual(Buffer.concat([bobFile, aliceFile]));
    const full = await dct(home, ['key', 'export', alice, 'alice']);
    expect(full.stdoutBytes).toEqual(aliceFile); // once, however often it is named
  });

  it("gives what the action's keys input reads, as PEM and as --base64", async () => {
    const home = await tempHome();
    const { alice, bob } = await twoKeys(home);
    const pem = await dct(home, ['key', 'export', 'alice', 'bob']);
    const ring = openAsAction(pem.stdout);
    expect(ring.ids().sort()).toEqual([alice, bob].sort());
    ring.dispose();
    const b64 = await dct(home, ['key', 'export', '--base64', 'alice']);
    expect(b64.stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    const fromB64 = openAsAction(b64.stdout);
    expect(fromB64.ids()).toEqual([alice]);
    fromB64.dispose();
  });

  it('--backup: a tar.gz of the whole private folder, for tar, for the action', async () => {
    const home = await tempHome();
    const { alice, bob } = await twoKeys(home);
    await writeFile(join(home.private, `${TARGETS.id}.key`), fixtureText(TARGETS.file));
    await mkdir(join(home.private, 'root_keys'));
    const root = manifest.keys.find((k) => k.role === 'root')!;
    await writeFile(join(home.private, `${root.id}.key`), fixtureText(root.file));
    const r = await dct(home, ['key', 'export', '--backup', '-o', 'keys.tar.gz'], {
      env: NO_PASS,
      now: () => new Date('2026-01-02T03:04:05Z'),
    });
    expect(r.code).toBe(0);
    expect(lines(r.stderr)).toEqual(['Wrote the key directory backup to keys.tar.gz']);
    const archive = join(home.cwd, 'keys.tar.gz');
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    const bytes = await readFile(archive);
    const entries = readTar(gunzipSync(bytes));
    const want = [alice, bob, TARGETS.id, root.id].map((id) => `private/${id}.key`).sort();
    expect(entries.map((e) => e.path).sort()).toEqual(want);
    for (const e of entries) {
      expect(e.data).toEqual(await readFile(join(home.private, e.path.slice('private/'.length))));
    }
    const { stdout } = await run('tar', ['tzf', archive]);
    expect(
      stdout
        .split('\n')
        .filter((l) => l.endsWith('.key'))
        .sort(),
    ).toEqual(want);
    // GNU tar extracts it with the modes docker gave the files
    await mkdir(join(home.dir, 'restore'));
    await run('tar', ['xzf', archive, '-C', join(home.dir, 'restore')]);
    const restored = join(home.dir, 'restore', 'private', `${alice}.key`);
    expect((await stat(restored)).mode & 0o777).toBe(0o600);

    const b64 = await dct(home, ['key', 'export', '--backup', '--base64']);
    const { files } = readKeySecret(b64.stdout, () => undefined);
    const ring = KeyRing.open(
      files.filter((f) => f.gun === undefined),
      { passphrase: REPO_PASS, rootPassphrase: manifest.rootPassphrase, include: 'all' },
    );
    expect(ring.ids().sort()).toEqual([alice, bob, root.id].sort());
    ring.dispose();
  });

  it('refuses to guess: nothing named, an unknown key, an ambiguous prefix, an existing file', async () => {
    const home = await tempHome();
    const none = await dct(home, ['key', 'export', '--backup']);
    expect(lines(none.stderr)).toEqual([`no keys in ${home.private}`]);
    const { alice } = await twoKeys(home);
    const nothing = await dct(home, ['key', 'export']);
    expect(nothing.code).toBe(1);
    expect(lines(nothing.stderr)).toEqual([
      'name the keys to export (a name or key ID), or give --backup',
    ]);
    const unknown = await dct(home, ['key', 'export', 'alice', 'zed']);
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(lines(unknown.stderr)).toEqual([
      `no key named or with ID zed in ${home.private}; see 'dct key list'`,
    ]);
    // two files whose IDs share a prefix (the command does not open them)
    const pem = encryptNotaryKey(generateKey('ecdsa'), ROOT_PASS, { role: 'x' });
    await writeFile(join(home.private, `abcdef0${'1'.repeat(57)}.key`), pem);
    await writeFile(join(home.private, `abcdef0${'2'.repeat(57)}.key`), pem);
    const ambiguous = await dct(home, ['key', 'export', 'abcdef0']);
    expect(lines(ambiguous.stderr)).toEqual([
      'abcdef0 is the start of several key IDs; give more of it',
    ]);
    expect(ambiguous.stdout).toBe('');
    await writeFile(join(home.cwd, 'out.pem'), 'keep me');
    const exists = await dct(home, ['key', 'export', '-o', 'out.pem', alice]);
    expect(exists.code).toBe(1);
    expect(exists.stderr).toContain('already exists; it is kept as it is');
    expect(await readFile(join(home.cwd, 'out.pem'), 'utf8')).toBe('keep me');
  });
});

// The fixture directory is used read-only above; make sure no test wrote into it.
it('left the fixtures alone', async () => {
  expect((await readdir(join(FIXTURES, 'trust-private'))).length).toBe(
    manifest.keys.filter((k) => k.file.startsWith('trust-private/')).length,
  );
});
