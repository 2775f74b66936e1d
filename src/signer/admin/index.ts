/**
 * Repository administration, the half of `docker trust` that sets repositories up and keeps
 * them alive: create a repository, add and remove signers, rotate keys, delete the server's
 * trust data. Shared by the `dct` command line and the action's `signer-add`/`signer-remove`.
 *
 * Every flow works on one repository, verifies its trust data first (as `sign` does), fails
 * with a DctError (a `code` and one clear line) before anything is published when an input,
 * a key or the server is wrong, and publishes in one request.
 */
export type {
  AddSignerOptions,
  AddSignerResult,
  AdminOptions,
  DeleteRemoteOptions,
  DeleteRemoteResult,
  InitOptions,
  InitResult,
  KeySource,
  NewRepository,
  RemoveSignerOptions,
  RemoveSignerResult,
  RotatableRole,
  RotateKeyOptions,
  RotateKeyResult,
  SignerKey,
} from './types.js';
export { parseSignerKeys, validateSignerName } from './signer-keys.js';
export { initRepository } from './init.js';
export { addSigner, removeSigner } from './signers.js';
export { rotateKey } from './rotate.js';
export { deleteRemoteTrust } from './delete.js';
