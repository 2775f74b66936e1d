/**
 * The action's `signer-add` and `signer-remove` (ACTION.md): one signer, each repository of
 * `images`, one line per failed image. Repositories are independent: each is verified and
 * published on its own, and one failing never leaves another half-published.
 */
import { DctError } from '../../errors.js';
import { shortId } from '../../keys/keyid.js';
import type { HeldKey, KeyRing } from '../../keys/keyring.js';
import { eachRepository } from '../images.js';
import type { ConnectionOptions, Logger, TrustStore } from '../types.js';
import { addSigner, removeSigner } from './signers.js';
import type { NewRepository, SignerKey } from './types.js';

/** One repository's signer change, as the job summary lists it. */
export interface SignerChange {
  image: string;
  gun: string;
  signer: string;
  /** The signer's key IDs added, or removed. */
  keyIds: string[];
  /** `added`, `removed`, or `unchanged` (the repository already had it so). */
  result: 'added' | 'removed' | 'unchanged';
  /** The repository was created by this run. */
  created: boolean;
}

export interface SignerAdminOptions extends ConnectionOptions {
  images: string[];
  signer: string;
  keys: KeyRing;
  rootKeyIds: string[];
  trustStore?: TrustStore;
  log: Logger;
}

export interface SignerAddOptions extends SignerAdminOptions {
  signerKeys: SignerKey[];
}

export function addSignerToImages(opts: SignerAddOptions): Promise<SignerChange[]> {
  return eachRepository(opts.images, async (ref) => {
    const out = await addSigner({
      ...opts,
      repository: ref.gun,
      name: opts.signer,
      signerKeys: opts.signerKeys,
      newRepository: fromKeyRing(opts.keys, ref.gun),
    });
    return {
      image: ref.input,
      gun: ref.gun,
      signer: opts.signer,
      keyIds: opts.signerKeys.map((k) => k.id),
      result: out.changed ? 'added' : 'unchanged',
      created: out.initialized !== undefined,
    };
  });
}

export function removeSignerFromImages(opts: SignerAdminOptions): Promise<SignerChange[]> {
  return eachRepository(opts.images, async (ref) => {
    const out = await removeSigner({ ...opts, repository: ref.gun, name: opts.signer });
    return {
      image: ref.input,
      gun: ref.gun,
      signer: opts.signer,
      keyIds: out.keyIds,
      result: out.removed ? 'removed' : 'unchanged',
      created: false,
    };
  });
}

/**
 * A new repository from the keys the action was given: the first root key (docker's choice,
 * by ID) and the repository key for this GUN (`role: targets`, `gun:` this repository or none).
 */
export function fromKeyRing(keys: KeyRing, gun: string): NewRepository {
  // The IDs of a ring's keys are unique.
  const byId = (a: HeldKey, b: HeldKey) => (a.id < b.id ? -1 : 1);
  return {
    rootKey: () => {
      const root = keys
        .held()
        .filter((k) => k.role === 'root')
        .sort(byId)[0];
      if (root === undefined) {
        throw new DctError(
          'ROOT_KEY_MISSING',
          `${gun} has no trust data yet; to create it, \`keys\` must hold a root key (opened with \`root-passphrase\`) and a repository key (\`role: targets\`)`,
        );
      }
      return root.key;
    },
    repositoryKey: () => {
      const fit = keys
        .held()
        .filter((k) => k.role === 'targets' && (k.gun === undefined || k.gun === gun))
        .sort((a, b) => Number(a.gun !== gun) - Number(b.gun !== gun) || byId(a, b));
      if (fit[0] === undefined) {
        // None fits, so each of these names another GUN.
        const others = keys.held().filter((k) => k.role === 'targets');
        throw new DctError(
          'REPOSITORY_KEY_MISSING',
          `${gun} has no trust data yet; to create it, \`keys\` must hold a repository key for it (a key file with \`role: targets\` and \`gun: ${gun}\`, or no gun)${others.length > 0 ? `; the targets keys given are for ${others.map((k) => `${k.gun!} (${shortId(k.id)})`).join(', ')}` : ''}`,
        );
      }
      return fit[0].key;
    },
  };
}
