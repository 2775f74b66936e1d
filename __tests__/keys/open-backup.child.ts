/**
 * Child process of no-disk.test.ts: opens a key secret the way the action does and signs with
 * every key, printing only key IDs and signature lengths. Input comes from the environment.
 */
import { KeyRing } from '../../src/keys/keyring.js';
import { disposeKeyFiles, readKeySecret } from '../../src/keys/secret.js';

const { files } = readKeySecret(process.env.DCT_TEST_KEYS ?? '', () => {});
const ring = KeyRing.open(files, {
  passphrase: process.env.DCT_TEST_PASSPHRASE,
  rootPassphrase: process.env.DCT_TEST_ROOT_PASSPHRASE,
  include: 'all',
});
disposeKeyFiles(files);
const out = ring.held().map((h) => ({
  id: h.id,
  sig: ring.signerFor(h.id, h.tufKey)!.sign(Buffer.from('message')).sig.length,
}));
ring.dispose();
process.stdout.write(JSON.stringify(out));
