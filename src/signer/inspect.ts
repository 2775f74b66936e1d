/**
 * What `docker trust inspect` shows of a verified repository (CLI.md): the released tags with
 * who signed them, the signers and their keys, the administrative keys, plus each role's
 * version and expiry. A pure function of a TrustedRepo, so `dct inspect` prints it and tests
 * compare it with docker's own output.
 */
import { canonicalKeyId } from '../keys/keyid.js';
import { pathsMatch, targetSha256, type TargetsMeta } from '../tuf/models.js';
import type { TrustedRepo } from '../tuf/repo.js';

/** Docker's name for a tag signed by `targets` or `targets/releases` and no other role. */
export const REPO_ADMIN = 'Repo Admin';

const RELEASES = 'targets/releases';

export interface SignedTagRow {
  SignedTag: string;
  /** Hex sha256 of the manifest (no `sha256:` prefix), as docker shows it. */
  Digest: string;
  /** Delegations other than targets/releases that list the same tag and digest, in the order
   *  a client walks the roles; empty when only targets or targets/releases holds it. */
  Signers: string[];
}

export interface RoleKeysInfo {
  /** A signer name (`ci`), or `Root` / `Repository` for the administrative keys. */
  Name: string;
  Keys: { ID: string }[];
  /** The role file's expiry; absent for a delegation that has no file yet. */
  Expires?: string;
}

export interface RoleStatus {
  role: string;
  version: number;
  expires: string;
}

export interface TrustInfo {
  signedTags: SignedTagRow[];
  /** Sorted as docker sorts them: by name, descending. */
  signers: RoleKeysInfo[];
  /** `Root` then `Repository`. */
  administrativeKeys: RoleKeysInfo[];
  /** Every verified role file: root, targets, snapshot, timestamp, then delegations. */
  roles: RoleStatus[];
}

/**
 * The targets roles in the order a Go client walks them (notary's WalkTargets: breadth-first
 * from `targets`, children in the order their parent lists them), limited to the roles whose
 * paths allow `tag` when one is given. A role that does not match is not descended into.
 */
export function walkOrder(repo: TrustedRepo, tag?: string): string[] {
  const out: string[] = [];
  const queue = ['targets'];
  while (queue.length > 0) {
    const role = queue.shift()!;
    const file = repo.targets.get(role);
    if (file === undefined) continue;
    // The loader keeps a delegation entry for every role a loaded file lists (the first entry
    // of a name; each a direct child of that file's role), so a loaded role has one; and it
    // refuses a loaded role listed twice, so none is reached twice.
    if (role !== 'targets' && tag !== undefined && !pathsMatch(repo.delegation(role)!.role, tag)) {
      continue;
    }
    out.push(role);
    for (const child of file.signed.delegations.roles) queue.push(child.name);
  }
  return out;
}

/**
 * `targets/ci` -> `ci`; `targets/releases/x` -> `releases/x` (docker's notaryRoleToSigner), for
 * the delegations it is given (never `targets` itself).
 */
function signerOf(role: string): string {
  return role.slice('targets/'.length);
}

const isReleased = (role: string): boolean => role === 'targets' || role === RELEASES;

/**
 * docker's released-signature rows: one per (tag, digest) that targets or targets/releases
 * holds, with every other role listing the same tag and digest as a signer; sorted by tag
 * in natural order. Without `tag`, every target of every role is considered (as docker does).
 */
export function releasedSignatures(repo: TrustedRepo, tag?: string): SignedTagRow[] {
  const found = walkOrder(repo, tag).flatMap((role) => {
    const targets = repo.targets.get(role)!.signed.targets;
    const names = tag === undefined ? Object.keys(targets) : has(targets, tag) ? [tag] : [];
    return names.map((name) => ({ role, name, digest: targetSha256(targets[name]) ?? '' }));
  });
  const rows = new Map<string, SignedTagRow>();
  const key = (name: string, digest: string): string => JSON.stringify([name, digest]);
  for (const f of found) {
    if (isReleased(f.role) && !rows.has(key(f.name, f.digest))) {
      rows.set(key(f.name, f.digest), { SignedTag: f.name, Digest: f.digest, Signers: [] });
    }
  }
  for (const f of found) {
    const row = rows.get(key(f.name, f.digest));
    if (row !== undefined && !isReleased(f.role)) row.Signers.push(signerOf(f.role));
  }
  // Rows are unique by tag and digest, and natural order ties only equal tags.
  return [...rows.values()].sort((a, b) =>
    naturalLess(a.SignedTag, b.SignedTag)
      ? -1
      : naturalLess(b.SignedTag, a.SignedTag)
        ? 1
        : a.Digest < b.Digest
          ? -1
          : 1,
  );
}

function has(targets: TargetsMeta['targets'], name: string): boolean {
  return Object.prototype.hasOwnProperty.call(targets, name);
}

/**
 * Every delegation some verified role lists, but targets/releases, by signer name, with its
 * keys as canonical IDs (a certificate's own public key), as docker's GetDelegationRoles
 * gives them. A later entry of the same name wins, as in docker's map.
 */
export function signerKeys(repo: TrustedRepo): Map<string, { keys: string[]; role: string }> {
  const out = new Map<string, { keys: string[]; role: string }>();
  for (const role of walkOrder(repo)) {
    const { keys, roles } = repo.targets.get(role)!.signed.delegations;
    for (const entry of roles) {
      if (entry.name === RELEASES) continue;
      const ids: string[] = [];
      for (const id of entry.keyids) {
        const key = keys[id];
        // docker drops the whole list when a key ID cannot be translated.
        if (key === undefined) return new Map();
        try {
          ids.push(canonicalKeyId(key));
        } catch {
          return new Map();
        }
      }
      out.set(signerOf(entry.name), { keys: ids, role: entry.name });
    }
  }
  return out;
}

export function trustInfo(repo: TrustedRepo, tag?: string): TrustInfo {
  const root = repo.root.signed;
  const withExpiry = (info: RoleKeysInfo, expires: string | undefined): RoleKeysInfo =>
    expires === undefined ? info : { ...info, Expires: expires };

  const signers = [...signerKeys(repo)].map(([name, { keys, role }]) =>
    withExpiry(
      { Name: name, Keys: keys.map((ID) => ({ ID })) },
      repo.targets.get(role)?.signed.expires,
    ),
  );
  // Names are unique (a map's keys).
  signers.sort((a, b) => (a.Name < b.Name ? 1 : -1));

  const administrativeKeys = [
    withExpiry(
      { Name: 'Root', Keys: root.roles['root'].keyids.map((ID) => ({ ID })) },
      root.expires,
    ),
    withExpiry(
      { Name: 'Repository', Keys: root.roles['targets'].keyids.map((ID) => ({ ID })) },
      // Every loaded repository has its targets file.
      repo.targets.get('targets')!.signed.expires,
    ),
  ];

  const status = (role: string, s: { version: number; expires: string }): RoleStatus => ({
    role,
    version: s.version,
    expires: s.expires,
  });
  const roles: RoleStatus[] = [
    status('root', root),
    ...walkOrder(repo)
      .slice(0, 1)
      .map((role) => status(role, repo.targets.get(role)!.signed)),
    status('snapshot', repo.snapshot.signed),
    status('timestamp', repo.timestamp.signed),
    ...walkOrder(repo)
      .slice(1)
      .map((role) => status(role, repo.targets.get(role)!.signed)),
  ];

  return { signedTags: releasedSignatures(repo, tag), signers, administrativeKeys, roles };
}

/**
 * Docker's JSON for one repository (cli/command/trust: trustRepo). A tag signed by no role
 * but targets or targets/releases shows `Repo Admin` as its signer; `Keys` is left out when
 * empty (Go's `omitempty`). `Expires` is ours.
 */
export function dockerTrustJson(name: string, info: TrustInfo): unknown {
  const keysOf = (r: RoleKeysInfo): Partial<RoleKeysInfo> => {
    const out: Partial<RoleKeysInfo> = { Name: r.Name };
    if (r.Keys.length > 0) out.Keys = r.Keys;
    if (r.Expires !== undefined) out.Expires = r.Expires;
    return out;
  };
  return {
    Name: name,
    SignedTags: info.signedTags.map((t) => ({
      SignedTag: t.SignedTag,
      Digest: t.Digest,
      Signers: t.Signers.length > 0 ? t.Signers : [REPO_ADMIN],
    })),
    Signers: info.signers.map(keysOf),
    AdministrativeKeys: info.administrativeKeys.map(keysOf),
  };
}

/**
 * Docker's `inspect` output: the elements as one JSON array indented by four spaces (Go's
 * json.Indent), `[]` when there are none. `<`, `>` and `&` are escaped as Go's encoder does.
 */
export function formatInspectJson(elements: unknown[]): string {
  const text = JSON.stringify(elements, null, 4)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `${text}\n`;
}

/**
 * Natural order as docker sorts tags and signers (fvbommel/sortorder): runs of digits compare
 * by value, then by fewer leading zeros; everything else bytewise.
 */
export function naturalLess(a: string, b: string): boolean {
  const digit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const dx = digit(x[i]);
    const dy = digit(y[j]);
    if (dx !== dy) return dx;
    if (!dx) {
      if (x[i] !== y[j]) return x[i] < y[j];
      i++;
      j++;
      continue;
    }
    // Past the end a byte reads undefined: neither '0' nor a digit.
    while (x[i] === 0x30) i++;
    while (y[j] === 0x30) j++;
    const si = i;
    const sj = j;
    while (digit(x[i])) i++;
    while (digit(y[j])) j++;
    if (i - si !== j - sj) return i - si < j - sj;
    const nx = x.subarray(si, i).toString('latin1');
    const ny = y.subarray(sj, j).toString('latin1');
    if (nx !== ny) return nx < ny;
    if (si !== sj) return si < sj;
  }
  return x.length < y.length;
}

/**
 * Go's text/tabwriter as docker's table formatter sets it up (minimum width 10, padding 3,
 * spaces): every column but the last padded to its widest cell plus 3.
 */
export function formatTable(rows: string[][]): string {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    widths.push(Math.max(10, ...rows.map((r) => (r[c] ?? '').length + 3)));
  }
  return rows
    .map(
      (r) => r.map((cell, c) => (c < r.length - 1 ? cell.padEnd(widths[c]) : cell)).join('') + '\n',
    )
    .join('');
}
