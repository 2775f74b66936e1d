/** Keys and judges for the administration flow tests. */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpClient } from '../../src/http/client.js';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { keyIdOf, tufKeyFromKeyObject } from '../../src/keys/keyid.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { encodePem } from '../../src/keys/pem.js';
import { readKeySecret } from '../../src/keys/secret.js';
import { parseSignerKeys } from '../../src/signer/admin/index.js';
import type { SignerKey } from '../../src/signer/admin/index.js';
import { NotaryClient } from '../../src/notary/client.js';
import type { Sandbox } from '../support/servers.js';

export const PASS = 'repo-passphrase-123';
export const ROOT_PASS = 'root-passphrase-123';

export interface TestKey {
  key: KeyObject;
  /** Canonical key ID (the file name notary gives the private key). */
  id: string;
  role: string;
  gun?: string;
  /** The encrypted key file as notary writes it. */
  pem: string;
}

export function makeKey(role: string, gun?: string): TestKey {
  const key = generateKey('ecdsa');
  const id = keyIdOf(tufKeyFromKeyObject(key));
  const headers = gun === undefined ? { role } : { role, gun };
  const pem = encryptNotaryKey(key, role === 'root' ? ROOT_PASS : PASS, headers);
  return { key, id, role, ...(gun === undefined ? {} : { gun }), pem };
}

/** `NAME.pub` as `docker trust key generate NAME` writes it (notary-spec.md §6.6). */
export function pubFile(k: TestKey): string {
  const der = createPublicKey(k.key).export({ type: 'spki', format: 'der' });
  return encodePem({ type: 'PUBLIC KEY', headers: { role: k.role }, der });
}

export function signerKeysOf(k: TestKey): SignerKey[] {
  return parseSignerKeys(pubFile(k), `${k.role}.pub`);
}

/** The KeyRing a run would open from these key files (root keys included); with none, a
 *  ring holding one unrelated key. */
export function ringOf(...keys: TestKey[]): KeyRing {
  const held = keys.length > 0 ? keys : [makeKey('unrelated')];
  const { files } = readKeySecret(held.map((k) => k.pem).join(''), () => undefined);
  return KeyRing.open(files, { passphrase: PASS, rootPassphrase: ROOT_PASS, include: 'all' });
}

/** Puts the key files into a notary/docker trust dir's `private/`, as `<id>.key`. */
export async function installKeys(trustDir: string, ...keys: TestKey[]): Promise<void> {
  const dir = join(trustDir, 'private');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const k of keys) {
    const file = join(dir, `${k.id}.key`);
    await writeFile(file, k.pem, { mode: 0o600 });
    await chmod(file, 0o600);
  }
}

/** The exact bytes the server serves for the roles: equal before and after = nothing published. */
export async function serverBytes(sb: Sandbox, gun: string): Promise<string> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const client = new NotaryClient({ server: sb.notary.url, gun, http });
    const out: string[] = [];
    for (const role of ['root', 'targets', 'snapshot']) {
      out.push(`${role}:${(await client.fetch(role))?.toString('base64') ?? 'none'}`);
    }
    return out.join('\n');
  } finally {
    await http.close();
  }
}
