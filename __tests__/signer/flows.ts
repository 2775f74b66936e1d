/** Shared set-up of the signer flow tests: keys from a notary-made repo, a quiet logger. */
import { encryptNotaryKey } from '../../src/keys/encrypt.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import type { Logger } from '../../src/signer/types.js';
import type { TrustedRepo } from '../support/notary-cli.js';
import type { TestKey } from '../tuf/helpers/repo.js';

export function keyRingOf(repo: TrustedRepo, pem = repo.keysPem): KeyRing {
  const { files } = readKeySecret(pem, () => undefined);
  return KeyRing.open(files, { passphrase: repo.passphrase, include: 'signing' });
}

export function quietLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(`warning: ${m}`),
    debug: () => undefined,
  };
}

/** A KeyRing holding test keys, encrypted and opened as the `keys` input would be. */
export function ringOfKeys(...keys: TestKey[]): KeyRing {
  const pem = keys.map((k) => encryptNotaryKey(k.key, RING_PASSPHRASE, { role: 'ci' })).join('');
  return KeyRing.open(readKeySecret(pem, () => undefined).files, {
    passphrase: RING_PASSPHRASE,
    include: 'signing',
  });
}

const RING_PASSPHRASE = 'pass-phrase-1';
