/**
 * The read-back after a publish: the server's new timestamp and snapshot, verified under the
 * root already trusted, must list exactly the files this client uploaded. Fails closed.
 */
import { createHash } from 'node:crypto';
import {
  checkMaxLength,
  checkRole,
  expiryCheck,
  fetchByMeta,
  missing,
  TIMESTAMP_MAX_BYTES,
  type MetaFetcher,
} from './checks.js';
import { parseEnvelope } from './envelope.js';
import { asSnapshot, asTimestamp, roleKeys, type MetaFile } from './models.js';
import type { TrustedRepo } from './repo.js';
import type { TrustState } from './trust-cache.js';

/**
 * After a publish: fetches and verifies the new timestamp and snapshot under the root already
 * trusted, and returns the trust state to keep if the server's current snapshot lists exactly
 * the bytes in `uploaded` for every role (so the server holds our files as the current
 * versions). Undefined when it does not (someone published on top of us): the caller then
 * reads the whole repository again.
 */
export async function confirmUploaded(
  fetcher: MetaFetcher,
  repo: TrustedRepo,
  uploaded: Map<string, { bytes: Buffer; version: number }>,
  now: Date = new Date(),
): Promise<TrustState | undefined> {
  const seen = repo.trustState().versions;
  const check = expiryCheck(now);
  const tsBytes = await fetcher.fetch('timestamp', { maxLength: TIMESTAMP_MAX_BYTES });
  if (tsBytes === undefined) throw missing('timestamp');
  checkMaxLength('timestamp', tsBytes, TIMESTAMP_MAX_BYTES);
  const timestamp = parseEnvelope(tsBytes, 'timestamp', asTimestamp);
  checkRole(timestamp, 'timestamp', roleKeys(repo.root.signed, 'timestamp'), seen, check);
  const snapshotMeta = timestamp.signed.meta['snapshot'];
  const ownSnapshot = uploaded.get('snapshot')?.bytes;
  if (ownSnapshot !== undefined && !sameFile(ownSnapshot, snapshotMeta)) return undefined;
  const snapshot = parseEnvelope(
    ownSnapshot ?? (await fetchByMeta(fetcher, 'snapshot', snapshotMeta, 'timestamp')),
    'snapshot',
    asSnapshot,
  );
  checkRole(snapshot, 'snapshot', roleKeys(repo.root.signed, 'snapshot'), seen, check);
  const versions = { ...seen };
  versions['timestamp'] = timestamp.signed.version;
  versions['snapshot'] = snapshot.signed.version;
  for (const [role, file] of uploaded) {
    if (role === 'snapshot') continue;
    if (!sameFile(file.bytes, snapshot.signed.meta[role])) return undefined;
    versions[role] = file.version;
  }
  return { gun: repo.gun, root: repo.root.bytes.toString('base64'), versions };
}

function sameFile(bytes: Buffer, meta: MetaFile | undefined): boolean {
  if (meta === undefined || meta.length !== bytes.length) return false;
  const sha256 = meta.hashes['sha256'];
  return (
    sha256 !== undefined &&
    createHash('sha256').update(bytes).digest().equals(Buffer.from(sha256, 'base64'))
  );
}
