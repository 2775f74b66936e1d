// Fills a repository with many signed tags at once: our own publish code, one POST adding
// every target to targets/releases and targets/ci (a `notary addhash` loop would take minutes).
import { createHash } from 'node:crypto';
import type { TrustedRepo as CliRepo } from '../../__tests__/support/notary-cli.js';
import type { Sandbox } from '../../__tests__/support/servers.js';
import { HttpClient } from '../../src/http/client.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { disposeKeyFiles, readKeySecret } from '../../src/keys/secret.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { connectRepo } from '../../src/signer/connect.js';
import { publishChange, type RoleEdit } from '../../src/signer/publish.js';
import { toTargetFile } from '../../src/signer/targets.js';
import type { TufSigner } from '../../src/keys/sign.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { SIGN_ROLES } from './cli.js';

/** Adds `count` targets `<prefix>-00000…` (made-up digests, no images) to SIGN_ROLES. */
export async function seedTargets(
  sb: Sandbox,
  repo: CliRepo,
  count: number,
  prefix = 'seed',
): Promise<void> {
  const { files } = readKeySecret(repo.keysPem, () => undefined);
  let keys: KeyRing;
  try {
    keys = KeyRing.open(files, { passphrase: repo.passphrase, include: 'signing' });
  } finally {
    disposeKeyFiles(files);
  }
  const http = new HttpClient({ caPem: sb.caPem });
  const width = String(count - 1).length;
  const names = Array.from(
    { length: count },
    (_, i) => `${prefix}-${String(i).padStart(width, '0')}`,
  );
  const target = (name: string) =>
    toTargetFile({
      digest: `sha256:${createHash('sha256').update(name).digest('hex')}`,
      size: 500 + (name.length % 7) * 100,
    });
  const signersOf = (r: TrustedRepo, role: string): TufSigner[] => {
    const k = r.keysOf(role);
    if (k === undefined) throw new Error(`${repo.gun} has no role ${role}`);
    return k.keyids.flatMap((id) => {
      const s = k.keys[id] === undefined ? undefined : keys.signerFor(id, k.keys[id]);
      return s === undefined ? [] : [s];
    });
  };
  const has = (r: TrustedRepo, role: string): boolean =>
    names.every((n) =>
      Object.prototype.hasOwnProperty.call(r.targets.get(role)?.signed.targets ?? {}, n),
    );
  try {
    const conn = await connectRepo(parseImageRef(`${repo.gun}:seed`), {
      trustServer: sb.notary.url,
      caPem: sb.caPem,
      http,
      write: true,
    });
    await publishChange(
      { conn, keys, rootKeyIds: [], log: { info: () => {}, warning: () => {}, debug: () => {} } },
      (r): RoleEdit[] =>
        SIGN_ROLES.filter((role) => !has(r, role)).map((role) => ({
          role,
          signers: signersOf(r, role),
          edit: (t) => {
            for (const n of names) t.targets[n] = target(n);
          },
        })),
      (r) => SIGN_ROLES.find((role) => !has(r, role)),
    );
  } finally {
    keys.dispose();
    await http.close();
  }
}
