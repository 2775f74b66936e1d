/**
 * The bridge to Sigstore inside the flows: `sign` with cosign also writes a cosign signature
 * of every digest it signs (an index and each manifest it lists, as `cosign sign --recursive`),
 * with the key that made the DCT signature or the `cosign-key`; `verify` with cosign also
 * wants a valid cosign signature by a key the repository's TUF delegations name, so the trust
 * data anchors the cosign keys and no second key list is needed.
 */
import type { KeyObject } from 'node:crypto';
import {
  type AttachOptions,
  attachSignatures,
  prepareSignature,
  type CosignSigningKey,
  type PreparedSignature,
} from '../cosign/sign.js';
import { assertP256 } from '../cosign/key.js';
import { findCosignSignatures, type CosignVerifyKey } from '../cosign/verify.js';
import { DctError, describeError, isDctError, type ImageFailure } from '../errors.js';
import { publicKeyOf, shortId } from '../keys/keyid.js';
import type { KeyRing } from '../keys/keyring.js';
import type { ImageRef } from '../registry/reference.js';
import { pathsMatch } from '../tuf/models.js';
import type { TrustedRepo } from '../tuf/repo.js';
import type { RepoConnection } from './connect.js';
import { GroupImagesError } from './images.js';
import { signerName, signerRole } from './roles.js';
import type { TagTarget } from './targets.js';
import type { Logger, SignedTag } from './types.js';

/** `cosign: true` for sign: the key from `cosign-key`, else the DCT signer keys. */
export interface CosignSignSettings {
  key?: KeyObject;
  attach?: AttachOptions;
}

export interface CosignSignPlan {
  /** Every digest to sign (tags' manifests and what indexes list) and its signatures. */
  byDigest: Map<string, PreparedSignature[]>;
  /** The digests each tag covers: its own first. */
  digestsOf: Map<ImageRef, string[]>;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);
const MAX_INDEX_DEPTH = 4;

/** The ECDSA P-256 keys behind the roles a tag goes into, one per key. */
function signerKeys(repo: TrustedRepo, keys: KeyRing, roles: string[]): CosignSigningKey[] {
  const out = new Map<string, CosignSigningKey>();
  for (const role of roles) {
    const listed = repo.keysOf(role);
    if (listed === undefined) continue;
    for (const id of keys.heldAmong(listed.keyids, listed.keys)) {
      const held = keys.find(id, listed.keys[id]);
      if (held === undefined || out.has(held.id)) continue;
      const label = `the ${signerName(role)} key ${shortId(held.id)}`;
      try {
        assertP256(held.key, label);
      } catch (e) {
        throw new DctError(
          'COSIGN_KEY_UNSUPPORTED',
          `${describeError(e)}; give a cosign key as \`cosign-key\` to sign with it instead`,
          { cause: e },
        );
      }
      out.set(held.id, { key: held.key, label });
    }
  }
  return [...out.values()];
}

/** `digest` and, for an index, every manifest it lists (depth-first, each once). */
async function digestsUnder(
  conn: RepoConnection,
  ref: ImageRef,
  digest: string,
  seen: Set<string>,
  depth = 0,
): Promise<string[]> {
  if (seen.has(digest)) return [];
  seen.add(digest);
  const m = await conn.registry.fetchManifest(ref, digest);
  if (m === undefined) {
    throw new DctError(
      'REGISTRY_MANIFEST_NOT_FOUND',
      `manifest ${digest} not found in the registry`,
    );
  }
  const out = [digest];
  let doc: { mediaType?: unknown; manifests?: unknown };
  try {
    doc = JSON.parse(m.bytes.toString('utf8')) as typeof doc;
  } catch {
    return out; // not JSON: nothing listed to sign
  }
  const isIndex = INDEX_TYPES.has(m.mediaType) || INDEX_TYPES.has(String(doc.mediaType));
  if (!isIndex || !Array.isArray(doc.manifests) || depth >= MAX_INDEX_DEPTH) return out;
  for (const child of doc.manifests as { digest?: unknown }[]) {
    const d = child?.digest;
    if (typeof d !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(d)) continue;
    out.push(...(await digestsUnder(conn, ref, d, seen, depth + 1)));
  }
  return out;
}

/**
 * Before anything is published: the keys (P-256), the digests, every signature made and its
 * payload uploaded. A registry that refuses the push stops the run here, with nothing signed.
 */
export async function prepareCosignSign(
  conn: RepoConnection,
  refs: ImageRef[],
  targets: Map<ImageRef, TagTarget>,
  repo: TrustedRepo,
  rolesOf: (ref: ImageRef) => string[],
  keys: KeyRing,
  settings: CosignSignSettings,
): Promise<CosignSignPlan> {
  const given = settings.key;
  const byDigest = new Map<string, PreparedSignature[]>();
  const digestsOf = new Map<ImageRef, string[]>();
  const wanted = new Map<string, Map<KeyObject, CosignSigningKey>>();
  const listed = new Map<string, string[]>();
  for (const ref of refs) {
    const signers =
      given !== undefined
        ? [{ key: given, label: 'the `cosign-key`' }]
        : signerKeys(repo, keys, rolesOf(ref));
    const top = targets.get(ref)!.digest;
    let digests = listed.get(top);
    if (digests === undefined) {
      digests = await digestsUnder(conn, ref, top, new Set());
      listed.set(top, digests);
    }
    digestsOf.set(ref, digests);
    for (const d of digests) {
      const forDigest = wanted.get(d) ?? new Map<KeyObject, CosignSigningKey>();
      for (const s of signers) forDigest.set(s.key, s);
      wanted.set(d, forDigest);
    }
  }
  const ref = refs[0];
  await Promise.all(
    [...wanted].map(async ([digest, signers]) => {
      const sigs = await Promise.all(
        [...signers.values()].map((s) => prepareSignature(conn.registry, ref, digest, s)),
      );
      byDigest.set(digest, sigs);
    }),
  );
  return { byDigest, digestsOf };
}

/**
 * After the DCT publish: puts every signature into its `.sig` image. When some cannot be
 * written, the error names, per tag, which signatures it carries now.
 */
export async function writeCosignSignatures(
  conn: RepoConnection,
  refs: ImageRef[],
  plan: CosignSignPlan,
  signed: SignedTag[],
  settings: CosignSignSettings,
  log: Logger,
): Promise<void> {
  const failed = new Map<string, unknown>();
  await Promise.all(
    [...plan.byDigest].map(async ([digest, sigs]) => {
      try {
        const added = await attachSignatures(conn.registry, refs[0], digest, sigs, {
          log: (m) => log.warning(m),
          ...settings.attach,
        });
        const by = sigs.map((s) => s.label).join(', ');
        log.info(
          added > 0
            ? `cosign-signed ${conn.gun}@${digest} with ${by}`
            : `${conn.gun}@${digest} already had a cosign signature by ${by}`,
        );
      } catch (e) {
        failed.set(digest, e);
      }
    }),
  );
  if (failed.size === 0) return;
  const failures: ImageFailure[] = [];
  const done: SignedTag[] = [];
  for (const tag of signed) {
    const ref = refs.find((r) => r.input === tag.image);
    const digests = (ref && plan.digestsOf.get(ref)) ?? [];
    const lost = digests.filter((d) => failed.has(d));
    if (lost.length === 0) {
      done.push(tag);
      continue;
    }
    const err = failed.get(lost[0]);
    const kept = digests.filter((d) => !failed.has(d));
    failures.push({
      image: tag.image,
      code: isDctError(err) ? err.code : 'COSIGN_WRITE_FAILED',
      message:
        `has its DCT signature (${tag.roles.join(', ')}, ${tag.digest}) but no cosign signature for ` +
        `${lost.join(', ')}${kept.length > 0 ? ` (cosign-signed: ${kept.join(', ')})` : ''}: ${describeError(err)}; ` +
        'run the step again to add it',
    });
  }
  throw new GroupImagesError(failures, done);
}

/** The public keys the trust data gives a signer (a delegation) or, for `targets`, root. */
function roleKeys(repo: TrustedRepo, role: string): CosignVerifyKey[] {
  const listed = repo.keysOf(role);
  if (listed === undefined) return [];
  const owner = signerName(role);
  const out: CosignVerifyKey[] = [];
  for (const id of listed.keyids) {
    const k = listed.keys[id];
    if (k === undefined) continue;
    try {
      out.push({ owner, key: publicKeyOf(k) });
    } catch {
      // a key type Node cannot load signs nothing here
    }
  }
  return out;
}

/**
 * For `verify`: a valid cosign signature of the tag's digest by a key of every required
 * signer, or, without required signers, by a key of any signer whose paths allow the tag
 * (or of the repository's targets role).
 */
export async function checkCosign(
  conn: RepoConnection,
  repo: TrustedRepo,
  ref: ImageRef,
  target: TagTarget,
  required: string[],
): Promise<void> {
  const roles =
    required.length > 0
      ? required.map(signerRole)
      : [
          'targets',
          ...repo.delegationNames().filter((r) => pathsMatch(repo.delegation(r)!.role, ref.tag)),
        ];
  const keys = roles.flatMap((r) => roleKeys(repo, r));
  const found = await findCosignSignatures(conn.registry, ref, target.digest, keys);
  if (found.signatures === 0) {
    throw new DctError(
      'COSIGN_NOT_SIGNED',
      `has no cosign signature: the registry holds no ${found.tag} for ${target.digest} ` +
        '(only a DCT signature); sign it with `cosign: true`',
    );
  }
  const missing =
    required.length > 0
      ? required.filter((s) => !found.validBy.has(signerName(signerRole(s))))
      : found.validBy.size > 0
        ? []
        : ['any signer the trust data delegates to'];
  if (missing.length > 0) {
    const detail = found.problems.length > 0 ? `: ${found.problems.join('; ')}` : '';
    throw new DctError(
      'COSIGN_NOT_VALID',
      `no valid cosign signature for ${target.digest} by a key of ${missing.join(', ')} ` +
        `(${found.signatures} signature(s) in ${found.tag}${detail})`,
    );
  }
}
