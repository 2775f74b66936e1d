import { cp, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../src/cli/keystore.js';
import { DctError } from '../../src/errors.js';
import { disposeKeyFiles } from '../../src/keys/secret.js';
import { FIXTURES, fixtureText, manifest } from '../keys/helpers.js';
import { tempHome } from './helpers.js';

const ROOT_ID = manifest.keys.find((k) => k.role === 'root')!.id;
const TARGETS_ID = manifest.keys.find((k) => k.role === 'targets')!.id;
const SEC1 = fixtureText('plain/sec1.pem');
const PLAIN_ID = '1'.repeat(64);

/** notary's directory, plus the legacy layouts, a public key and a stray file. */
async function notaryDir(): Promise<KeyStore> {
  const home = await tempHome();
  await mkdir(home.private, { recursive: true });
  await cp(join(FIXTURES, 'trust-private'), home.private, { recursive: true });
  await mkdir(join(home.private, 'root_keys'));
  await writeFile(join(home.private, 'root_keys', `${'a'.repeat(64)}_root.key`), SEC1);
  await mkdir(join(home.private, 'tuf_keys', 'docker.io', 'acme', 'old'), { recursive: true });
  await writeFile(
    join(home.private, 'tuf_keys', 'docker.io', 'acme', 'old', `${'b'.repeat(64)}_targets.key`),
    SEC1,
  );
  await writeFile(join(home.private, `${PLAIN_ID}.key`), fixtureText('plain/public.pem'));
  await writeFile(join(home.private, 'README.txt'), 'not a key');
  return new KeyStore(home.private);
}

describe('KeyStore', () => {
  it('finds every .key file, in legacy folders too, sorted; none without a directory', async () => {
    const store = await notaryDir();
    const paths = await store.paths();
    expect(paths).toHaveLength(manifest.keys.filter((k) => k.file.startsWith('trust-')).length + 3);
    expect(paths).toContain(`root_keys/${'a'.repeat(64)}_root.key`);
    expect(paths).toContain(`tuf_keys/docker.io/acme/old/${'b'.repeat(64)}_targets.key`);
    expect(paths).not.toContain('README.txt');
    expect([...paths].sort()).toEqual(paths);
    const home = await tempHome();
    await expect(new KeyStore(home.private).paths()).resolves.toEqual([]);
  });

  it('lists what each file says of itself without opening it', async () => {
    const store = await notaryDir();
    const keys = await store.list();
    expect(keys.find((k) => k.id === ROOT_ID)).toEqual({
      path: `${ROOT_ID}.key`,
      id: ROOT_ID,
      role: 'root',
      encrypted: true,
    });
    expect(keys.find((k) => k.id === TARGETS_ID)).toMatchObject({
      role: 'targets',
      gun: 'docker.io/acme/app',
      encrypted: true,
    });
    expect(keys.find((k) => k.id === 'a'.repeat(64))).toMatchObject({
      role: 'root',
      encrypted: false,
    });
    expect(keys.find((k) => k.id === 'b'.repeat(64))).toMatchObject({
      role: 'targets',
      gun: 'docker.io/acme/old',
    });
    // a public key in a .key file is no key
    expect(keys.some((k) => k.id === PLAIN_ID)).toBe(false);
  });

  it('reads the files for KeyRing: every body line masked first, notes for non-keys', async () => {
    const store = await notaryDir();
    const masked: string[] = [];
    const { files, notes } = await store.read((s) => masked.push(s));
    try {
      expect(files.map((f) => f.source)).not.toContain(`${PLAIN_ID}.key`);
      expect(notes).toEqual([`${PLAIN_ID}.key: holds no private key, skipped`]);
      const body = fixtureText(`trust-private/${ROOT_ID}.key`)
        .split('\n')
        .filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l));
      for (const line of body) expect(masked).toContain(line);
    } finally {
      disposeKeyFiles(files);
    }
    expect(files.every((f) => f.block.der.every((b) => b === 0))).toBe(true);
  });

  it('names a file that is not PEM', async () => {
    const home = await tempHome();
    await mkdir(home.private, { recursive: true });
    await writeFile(
      join(home.private, `${'c'.repeat(64)}.key`),
      '-----BEGIN EC PRIVATE KEY-----\n!!!',
    );
    const e = await new KeyStore(home.private).list().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DctError);
    expect((e as DctError).code).toBe('KEY_DAMAGED');
    expect((e as DctError).message).toBe(`${'c'.repeat(64)}.key is not a PEM key file`);
  });

  it('writes a new key file 0600 in a 0700 directory and never over one', async () => {
    const home = await tempHome();
    const store = new KeyStore(home.private);
    const id = 'd'.repeat(64);
    const path = await store.write(id, SEC1);
    expect(path).toBe(join(home.private, `${id}.key`));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(home.private)).mode & 0o777).toBe(0o700);
    const e = await store.write(id, 'other').catch((err: unknown) => err);
    expect((e as DctError).code).toBe('KEY_EXISTS');
    expect(await readFile(path, 'utf8')).toBe(SEC1);
    await expect(store.write('../escape', SEC1)).rejects.toThrow('not a key ID');
  });

  it('names a key directory it cannot create', async () => {
    const home = await tempHome();
    await mkdir(home.config, { recursive: true });
    await writeFile(join(home.config, 'trust'), 'a file');
    const e = await new KeyStore(home.private)
      .write('d'.repeat(64), SEC1)
      .catch((err: unknown) => err);
    expect((e as DctError).code).toBe('KEYSTORE_UNWRITABLE');
    expect((e as DctError).message).toBe(`cannot create the key directory ${home.private}`);
  });
});
