/**
 * Notary's TUF metadata (notary-spec.md §4): interfaces, guards that check structure but
 * keep unknown fields, and the helpers that produce new metadata for a publish.
 */
import { createHash } from 'node:crypto';
import { DctError } from '../errors.js';
import type { TufKey } from '../keys/keyid.js';
import { bareObject, cloneJson, GoFields } from './canonical.js';
import { addDays, goTime, parseExpires } from './time.js';

export interface RoleKeys {
  keyids: string[];
  threshold: number;
}

export interface MetaFile {
  hashes: Record<string, string>;
  length: number;
  custom?: unknown;
}

export interface TargetFile {
  hashes: Record<string, string>;
  length: number;
  custom?: unknown;
}

export interface DelegationRole extends RoleKeys {
  name: string;
  /** Prefixes of target names the role may sign; `""` matches all. Omitted when empty. */
  paths?: string[];
}

interface SignedCommon {
  expires: string;
  version: number;
}

export interface RootMeta extends SignedCommon {
  _type: 'Root';
  consistent_snapshot: boolean;
  keys: Record<string, TufKey>;
  roles: Record<string, RoleKeys>;
}

export interface TargetsMeta extends SignedCommon {
  _type: 'Targets';
  delegations: { keys: Record<string, TufKey>; roles: DelegationRole[] };
  targets: Record<string, TargetFile>;
}

export interface SnapshotMeta extends SignedCommon {
  _type: 'Snapshot';
  meta: Record<string, MetaFile>;
}

export interface TimestampMeta extends SignedCommon {
  _type: 'Timestamp';
  meta: Record<string, MetaFile>;
}

export const BASE_ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;

/** 3×365 days: Go's default expiry for targets, delegations and snapshot (§4.2, §4.3). */
export const TARGETS_EXPIRY_DAYS = 3 * 365;

// ---------------------------------------------------------------------------------------
// Guards. Each returns its input (unknown fields included) once the shape is right; maps
// are prototype-free objects when the input came from `parseJson`.

type Obj = Record<string, unknown>;

function bad(why: string): DctError {
  return new DctError('TUF_BAD_METADATA', `malformed metadata: ${why}`);
}

// The struct fields Go decodes each object into (notary tuf/data); a key that folds to one of
// them but is spelled otherwise is read by Go and not by us (canonical.ts GoFields).
const COMMON = ['_type', 'expires', 'version'];
const ROOT = new GoFields(...COMMON, 'consistent_snapshot', 'keys', 'roles');
const TARGETS = new GoFields(...COMMON, 'delegations', 'targets');
const SNAPSHOT = new GoFields(...COMMON, 'meta');
const KEY = new GoFields('keytype', 'keyval');
const KEYVAL = new GoFields('private', 'public');
const ROOT_ROLE = new GoFields('keyids', 'threshold');
const DELEGATIONS = new GoFields('keys', 'roles');
const DELEGATION = new GoFields('keyids', 'name', 'paths', 'threshold');
const FILE_META = new GoFields('custom', 'hashes', 'length');

/** `o` once no key of it would be read by Go as a field it is not spelled as. */
function fields(o: Obj, go: GoFields, what: string): Obj {
  const clash = go.foldedField(o);
  if (clash !== undefined) {
    throw bad(
      `${what} has the key ${JSON.stringify(clash.key)}, which Go reads as "${clash.field}"; a file that can be read two ways is refused`,
    );
  }
  return o;
}

function obj(x: unknown, what: string): Obj {
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw bad(`${what} is not an object`);
  return x as Obj;
}

function str(x: unknown, what: string): string {
  if (typeof x !== 'string') throw bad(`${what} is not a string`);
  return x;
}

function int(x: unknown, what: string, min: number): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min) {
    throw bad(`${what} is not an integer ≥ ${min}`);
  }
  return x;
}

function strList(x: unknown, what: string): string[] {
  if (!Array.isArray(x) || !x.every((v) => typeof v === 'string')) {
    throw bad(`${what} is not a list of strings`);
  }
  return x;
}

function common(x: unknown, type: string, go: GoFields): Obj {
  const o = fields(obj(x, '"signed"'), go, '"signed"');
  if (o['_type'] !== type) {
    throw bad(`_type is ${JSON.stringify(o['_type'] ?? null)}, expected "${type}"`);
  }
  parseExpires(str(o['expires'], 'expires'));
  int(o['version'], 'version', 1);
  return o;
}

function checkKeys(x: unknown, what: string): Record<string, TufKey> {
  const keys = obj(x ?? bareObject(), what);
  for (const [id, k] of Object.entries(keys)) {
    const key = fields(obj(k, `${what}.${id}`), KEY, `${what}.${id}`);
    str(key['keytype'], `${what}.${id}.keytype`);
    const keyval = fields(
      obj(key['keyval'], `${what}.${id}.keyval`),
      KEYVAL,
      `${what}.${id}.keyval`,
    );
    str(keyval['public'], `${what}.${id}.keyval.public`);
  }
  return keys as unknown as Record<string, TufKey>;
}

function checkRoleKeys(x: unknown, what: string, go = ROOT_ROLE): RoleKeys {
  const r = fields(obj(x, what), go, what);
  strList(r['keyids'], `${what}.keyids`);
  int(r['threshold'], `${what}.threshold`, 1);
  return r as unknown as RoleKeys;
}

const HASH_SIZES: Record<string, number> = { sha256: 32, sha512: 64 };

/** Hashes as Go checks them (§3.4): known algorithms have the right size, at least one. */
function checkHashes(x: unknown, what: string, needSha256: boolean): Record<string, string> {
  const hashes = obj(x, `${what}.hashes`);
  let known = 0;
  for (const [alg, v] of Object.entries(hashes)) {
    const b64 = str(v, `${what}.hashes.${alg}`);
    const size = HASH_SIZES[alg];
    if (size === undefined) continue;
    if (Buffer.from(b64, 'base64').length !== size) throw bad(`${what} ${alg} hash has a bad size`);
    known++;
  }
  if (known === 0) throw bad(`${what} has no sha256 or sha512 hash`);
  if (needSha256 && hashes['sha256'] === undefined) throw bad(`${what} has no sha256 hash`);
  return hashes as Record<string, string>;
}

function checkFileMeta(x: unknown, what: string, needSha256: boolean): MetaFile {
  const m = fields(obj(x, what), FILE_META, what);
  checkHashes(m['hashes'], what, needSha256);
  int(m['length'], `${what}.length`, 0);
  return m as unknown as MetaFile;
}

export function asRoot(x: unknown): RootMeta {
  const o = common(x, 'Root', ROOT);
  if (o['consistent_snapshot'] !== undefined && typeof o['consistent_snapshot'] !== 'boolean') {
    throw bad('consistent_snapshot is not a boolean');
  }
  const keys = checkKeys(o['keys'], 'keys');
  const roles = obj(o['roles'], 'roles');
  for (const name of BASE_ROLES) {
    if (roles[name] === undefined) throw bad(`root has no "${name}" role`);
    const role = checkRoleKeys(roles[name], `roles.${name}`);
    for (const id of role.keyids) {
      if (keys[id] === undefined) throw bad(`root role ${name} names key ${id} that root lacks`);
    }
  }
  return o as unknown as RootMeta;
}

function isTargetFile(t: unknown): boolean {
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return false;
  if (FILE_META.foldedField(t) !== undefined) return false;
  const { hashes, length } = t as Obj;
  if (typeof hashes !== 'object' || hashes === null || Array.isArray(hashes)) return false;
  for (const h of Object.values(hashes as Obj)) if (typeof h !== 'string') return false;
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0;
}

export function asTargets(x: unknown): TargetsMeta {
  return checkTargets(x);
}

/** `asTargets`; the entries `checked` holds under the same name were checked already. */
function checkTargets(x: unknown, checked?: Record<string, TargetFile>): TargetsMeta {
  const o = common(x, 'Targets', TARGETS);
  const targets = obj(o['targets'] ?? bareObject(), 'targets');
  for (const name of Object.keys(targets)) {
    if (checked !== undefined && checked[name] === targets[name]) continue;
    if (!isTargetFile(targets[name])) {
      // Checked again, naming the part, only to say what is wrong (files hold 10,000s).
      const what = `target ${JSON.stringify(name)}`;
      const file = fields(obj(targets[name], what), FILE_META, what);
      obj(file['hashes'], `${what}.hashes`);
      for (const [alg, h] of Object.entries(file['hashes'] as Obj)) str(h, `${what}.hashes.${alg}`);
      int(file['length'], `${what}.length`, 0);
    }
  }
  // Go always writes delegations with keys and roles; fill them in as Go's decoder would.
  const d = fields(
    obj(o['delegations'] ?? bareObject(), 'delegations'),
    DELEGATIONS,
    'delegations',
  );
  d['keys'] = checkKeys(d['keys'], 'delegations.keys');
  d['roles'] = d['roles'] ?? [];
  if (!Array.isArray(d['roles'])) throw bad('delegations.roles is not a list');
  (d['roles'] as unknown[]).forEach((r, i) => {
    const role = checkRoleKeys(r, `delegations.roles[${i}]`, DELEGATION) as unknown as Obj;
    str(role['name'], `delegations.roles[${i}].name`);
    if (role['paths'] !== undefined && role['paths'] !== null) {
      strList(role['paths'], `delegations.roles[${i}].paths`);
    }
  });
  o['targets'] = targets;
  o['delegations'] = d;
  return o as unknown as TargetsMeta;
}

export function asSnapshot(x: unknown): SnapshotMeta {
  const o = common(x, 'Snapshot', SNAPSHOT);
  const meta = obj(o['meta'], 'meta');
  for (const [role, m] of Object.entries(meta)) {
    checkFileMeta(m, `snapshot meta for ${role}`, role === 'root' || role === 'targets');
  }
  return o as unknown as SnapshotMeta;
}

export function asTimestamp(x: unknown): TimestampMeta {
  const o = common(x, 'Timestamp', SNAPSHOT);
  const meta = obj(o['meta'], 'meta');
  if (meta['snapshot'] === undefined) throw bad('timestamp has no meta for snapshot');
  checkFileMeta(meta['snapshot'], 'timestamp meta for snapshot', true);
  return o as unknown as TimestampMeta;
}

// ---------------------------------------------------------------------------------------
// Helpers.

/** The keys and threshold of a base role as root lists them. */
export function roleKeys(
  root: RootMeta,
  role: string,
): { keyids: string[]; threshold: number; keys: Record<string, TufKey> } {
  const r = root.roles[role];
  if (r === undefined) throw bad(`root has no "${role}" role`);
  return { keyids: r.keyids, threshold: r.threshold, keys: pickKeys(root.keys, r.keyids) };
}

/** The entries of `keys` named in `keyids` (missing ones are left out). */
export function pickKeys(keys: Record<string, TufKey>, keyids: string[]): Record<string, TufKey> {
  const out = bareObject<TufKey>();
  for (const id of keyids) {
    const k = keys[id];
    if (k !== undefined) out[id] = k;
  }
  return out;
}

/** Snapshot/timestamp meta for a file: sha256 and sha512 over the exact bytes (§3.3). */
export function metaFileFor(bytes: Buffer): MetaFile {
  return {
    hashes: {
      sha256: createHash('sha256').update(bytes).digest('base64'),
      sha512: createHash('sha512').update(bytes).digest('base64'),
    },
    length: bytes.length,
  };
}

/** A target as docker writes it (§8): sha256 only, base64 of the raw digest; no custom. */
export function targetFile(digestHex: string, length: number): TargetFile {
  if (!/^[0-9a-f]{64}$/.test(digestHex)) {
    throw new DctError('TUF_BAD_TARGET', `"${digestHex}" is not a hex sha256 digest`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new DctError('TUF_BAD_TARGET', `target length ${length} is not a byte count`);
  }
  return { hashes: { sha256: Buffer.from(digestHex, 'hex').toString('base64') }, length };
}

/** The hex sha256 of a target, if it has one. */
export function targetSha256(t: TargetFile): string | undefined {
  const b64 = t.hashes['sha256'];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('hex');
}

/** Go's `data.IsDelegation`: `targets/…`, `[-a-z0-9_/]`, < 256 chars, path-clean. */
export function isDelegationName(name: string): boolean {
  if (!name.startsWith('targets/') || name.length >= 256) return false;
  if (!/^[-a-z0-9_/]+$/.test(name)) return false;
  // The character set excludes '.', so path-clean means no empty segment.
  return name.split('/').every((seg) => seg.length > 0);
}

/** The role a targets role is delegated from: `targets/a/b` → `targets/a`. */
export function parentRole(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

/** Whether the role's `paths` allow a target name (prefix match, §4.2). */
export function pathsMatch(role: { paths?: string[] | undefined }, name: string): boolean {
  return role.paths !== undefined && role.paths.some((p) => name.startsWith(p));
}

/**
 * A child's paths limited to its parent's (Go `RestrictDelegationPathPrefixes`): keep the
 * child prefixes that fall under some parent prefix.
 */
export function restrictPaths(parentPaths: string[], childPaths: string[]): string[] {
  return childPaths.filter((c) => parentPaths.some((p) => c.startsWith(p)));
}

// ---------------------------------------------------------------------------------------
// New metadata for a publish.

/**
 * The next version of a targets role: a deep copy (unknown fields kept) edited by `change`,
 * then version+1 and expires = now + 3×365 days. With no `prev` it starts an empty file
 * (version 0 → 1). The result has Go's field set: `delegations` always, `paths` only when
 * non-empty, no `custom: null`, and no delegation keys that no role uses.
 */
/** `prev` with `change` applied, version+1 and a renewed expiry; `prev` is left as it was.
 *  `change` may add and delete entries of `targets` but must not edit an entry in place. */
export function updatedTargets(
  prev: TargetsMeta | undefined,
  change: (t: TargetsMeta) => void,
  now: Date,
): TargetsMeta {
  // The targets map is copied, not its entries: `change` adds and removes entries and never
  // edits one in place, and copying 10,000s of entries dominated large repositories.
  let t: TargetsMeta;
  if (prev === undefined) {
    t = emptyTargets();
  } else {
    const { targets, ...rest } = prev;
    t = { ...cloneJson(rest), targets: Object.assign(bareObject<TargetFile>(), targets) };
  }
  change(t);
  t.version = (prev?.version ?? 0) + 1;
  t.expires = goTime(addDays(now, TARGETS_EXPIRY_DAYS));
  tidyTargets(t);
  // An entry still the very object of `prev` passed the guard when `prev` was read.
  return checkTargets(t, prev?.targets);
}

/** An empty targets file at `version` (its next version is `version` + 1). */
export function blankTargets(version: number): TargetsMeta {
  const t = emptyTargets();
  t.version = version;
  return t;
}

function emptyTargets(): TargetsMeta {
  const t = bareObject<unknown>() as unknown as TargetsMeta;
  t._type = 'Targets';
  t.delegations = { keys: bareObject<TufKey>(), roles: [] };
  t.expires = '';
  t.targets = bareObject<TargetFile>();
  t.version = 0;
  return t;
}

function tidyTargets(t: TargetsMeta): void {
  for (const name of Object.keys(t.targets)) {
    const file = t.targets[name];
    if ('custom' in file && (file.custom === null || file.custom === undefined)) {
      // A copy: entries may be shared with the previous version (see updatedTargets).
      const { custom: _dropped, ...rest } = file;
      t.targets[name] = rest;
    }
  }
  const used = new Set<string>();
  for (const role of t.delegations.roles) {
    if (role.paths === undefined || role.paths === null || role.paths.length === 0) {
      delete role.paths;
    }
    role.keyids.forEach((id) => used.add(id));
  }
  for (const id of Object.keys(t.delegations.keys)) {
    if (!used.has(id)) delete t.delegations.keys[id];
  }
}

/** 10×365 days: Go's default expiry for root (§4.1). */
export const ROOT_EXPIRY_DAYS = 10 * 365;

/** `prev` with `change` applied to a deep copy, version+1 and expires now + 10×365 days. */
export function updatedRoot(prev: RootMeta, change: (r: RootMeta) => void, now: Date): RootMeta {
  const r = cloneJson(prev);
  change(r);
  r.version = prev.version + 1;
  r.expires = goTime(addDays(now, ROOT_EXPIRY_DAYS));
  return asRoot(r);
}

/** The next snapshot: version+1, expires now + 3×365 days, meta of each given file's bytes. */
export function updatedSnapshot(
  prev: SnapshotMeta,
  files: Map<string, Buffer>,
  now: Date,
): SnapshotMeta {
  const s = cloneJson<SnapshotMeta>(prev);
  s.version = prev.version + 1;
  s.expires = goTime(addDays(now, TARGETS_EXPIRY_DAYS));
  for (const [role, bytes] of files) s.meta[role] = metaFileFor(bytes);
  return asSnapshot(s);
}
