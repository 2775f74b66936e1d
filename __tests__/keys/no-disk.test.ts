/**
 * The key secret's plaintext never reaches the disk: a child process opens the backup with
 * HOME, TMPDIR and its working directory in a fresh folder, then every file there is scanned
 * for the private scalars, the unencrypted DER and the passphrases.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { notaryPkcs8 } from '../../src/keys/encrypt.js';
import { KeyRing, type HeldKey } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { findSecrets } from '../support/secret-scan.js';
import { fixture, manifest } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'keys-nodisk-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The secret parts of a key: private scalar (or seed, or RSA d/p/q) and both DER forms. */
function secretsOf(held: HeldKey): Buffer[] {
  const jwk = held.key.export({ format: 'jwk' });
  const parts = [jwk.d, jwk.p, jwk.q].filter((x): x is string => x !== undefined);
  return [
    ...parts.map((p) => Buffer.from(p, 'base64url')),
    held.key.export({ type: 'pkcs8', format: 'der' }),
    notaryPkcs8(held.key),
  ];
}

describe('findSecrets', () => {
  it('finds a needle raw, in hex and inside base64 at any offset', () => {
    const dir = join(work, 'self-test');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const needle = Buffer.from('0123456789abcdef-secret-bytes-0123456789');
    writeFileSync(
      join(dir, 'raw.bin'),
      Buffer.concat([Buffer.from('xx'), needle, Buffer.from('yy')]),
    );
    writeFileSync(join(dir, 'sub', 'hex.txt'), `id=${needle.toString('hex')}`);
    for (let pad = 0; pad < 3; pad++) {
      const b64 = Buffer.concat([Buffer.alloc(pad + 5, 9), needle, Buffer.alloc(7)]).toString(
        'base64',
      );
      writeFileSync(join(dir, `b64-${pad}.txt`), b64);
    }
    writeFileSync(join(dir, 'clean.txt'), 'nothing here');
    const hits = findSecrets([dir], [needle, Buffer.from('absent-absent-absent')]);
    expect(hits.map((h) => h.slice(dir.length + 1)).sort()).toEqual([
      'b64-0.txt: needle 0',
      'b64-1.txt: needle 0',
      'b64-2.txt: needle 0',
      'raw.bin: needle 0',
      'sub/hex.txt: needle 0',
    ]);
  });
});

describe('KeyRing.open over a .tar.gz', () => {
  it('leaves no secret on disk', () => {
    const base = join(work, 'run');
    const home = join(base, 'home');
    const tmp = join(base, 'tmp');
    const cwd = join(base, 'cwd');
    for (const d of [home, tmp, cwd]) mkdirSync(d, { recursive: true });
    const keys = fixture('backup-gnu.tar.gz').toString('base64');
    const child = fileURLToPath(new URL('./open-backup.child.ts', import.meta.url));
    // resolved here: the child runs in the scratch folder, where `tsx` is not installed
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const out = execFileSync(process.execPath, ['--import', tsx, child], {
      cwd,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: tmp,
        XDG_CACHE_HOME: join(home, '.cache'),
        DCT_TEST_KEYS: keys,
        DCT_TEST_PASSPHRASE: manifest.passphrase,
        DCT_TEST_ROOT_PASSPHRASE: manifest.rootPassphrase,
      },
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { id: string; sig: number }[];

    const ring = KeyRing.open(readKeySecret(keys, () => {}).files, {
      passphrase: manifest.passphrase,
      rootPassphrase: manifest.rootPassphrase,
      include: 'all',
    });
    // the child really opened and used every key
    expect(result.map((r) => r.id).sort()).toEqual(ring.ids().sort());
    expect(result.every((r) => r.sig >= 64)).toBe(true);

    const needles = [
      Buffer.from(manifest.passphrase),
      Buffer.from(manifest.rootPassphrase),
      ...ring.held().flatMap(secretsOf),
    ];
    expect(findSecrets([base], needles)).toEqual([]);
  });
});
