/** Shared set-up of the signer flow tests: keys from a notary-made repo, a quiet logger. */
import { KeyRing } from '../../src/keys/keyring.js';
import { readKeySecret } from '../../src/keys/secret.js';
import type { Logger } from '../../src/signer/types.js';
import type { TrustedRepo } from '../support/notary-cli.js';

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
