/**
 * Our key files against the real notary CLI (0.7, /usr/bin/notary), offline: notary imports
 * them, lists them under our key ID, and `key passwd` — which decrypts with the passphrase and
 * re-encrypts — works with ours and fails with a wrong one. Then we read notary's rewrite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { encodePem, parsePem } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';

const NOTARY = '/usr/bin/notary';
const PASS = 'cli-Pass-4669';
const work = mkdtempSync(join(tmpdir(), 'keys-notary-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function envFor(role: string, passphrase: string): NodeJS.ProcessEnv {
  const alias =
    role === 'root' ? 'ROOT' : role.startsWith('targets/') ? 'DELEGATION' : role.toUpperCase();
  return { PATH: process.env.PATH, HOME: work, [`NOTARY_${alias}_PASSPHRASE`]: passphrase };
}

function notary(trustDir: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(NOTARY, ['-d', trustDir, ...args], { env, encoding: 'utf8', input: '' });
}

const cases = [
  { type: 'ecdsa', role: 'root' },
  { type: 'ecdsa', role: 'targets', gun: 'docker.io/acme/cli' },
  { type: 'rsa', role: 'targets/releases' },
  { type: 'ed25519', role: 'targets/ed' },
] as const;

describe('notary CLI accepts our key files', () => {
  it.each(cases)('$type $role', ({ type, role, ...rest }) => {
    const gun = 'gun' in rest ? rest.gun : undefined;
    const key = generateKey(type);
    const id = keyIdOf(tufKeyFromKeyObject(key));
    const trustDir = join(work, `${type}-${role.replace('/', '_')}`);
    const pem = encryptNotaryKey(key, PASS, gun ? { role, gun } : { role });
    // `key import` stores an encrypted block as-is under its `path` header (the key ID).
    const [block] = parsePem(pem);
    const file = join(work, `${id}.pem`);
    writeFileSync(file, encodePem({ ...block, headers: { ...block.headers, path: id } }));
    execFileSync(NOTARY, ['-d', trustDir, 'key', 'import', file], {
      env: envFor(role, PASS),
      stdio: 'pipe',
    });

    const list = notary(trustDir, envFor(role, PASS), 'key', 'list');
    expect(list.status).toBe(0);
    const row = list.stdout.split('\n').find((l) => l.includes(id));
    expect(
      row
        ?.trim()
        .split(/\s+/)
        .slice(0, gun ? 3 : 2),
    ).toEqual(gun ? [role, gun, id] : [role, id]);

    const stored = join(trustDir, 'private', `${id}.key`);
    const before = readFileSync(stored, 'utf8');
    expect(before).toBe(pem); // notary kept our bytes

    const wrong = notary(trustDir, envFor(role, 'not-the-pass'), 'key', 'passwd', id);
    expect(wrong.status).not.toBe(0);
    const right = notary(trustDir, envFor(role, PASS), 'key', 'passwd', id);
    expect(right.stderr + right.stdout).toContain(
      `Successfully updated passphrase for key ID: ${id}`,
    );
    expect(right.status).toBe(0);

    // notary re-encrypted the key it decrypted; we read its output
    const after = readFileSync(stored, 'utf8');
    expect(after).not.toBe(before);
    const ring = KeyRing.open(readKeySecret(after, () => {}).files, {
      passphrase: PASS,
      rootPassphrase: PASS,
      include: 'all',
    });
    expect(ring.ids()).toEqual([id]);
    expect(ring.held()[0].role).toBe(role);
  });
});
