/**
 * The action's inputs (ACTION.md), read once into one typed object. Validation is the pure
 * `parseInputs`; every message names the input and the form it expects.
 */
import * as core from '@actions/core';
import { DctError } from '../errors.js';
import { passphraseCandidates } from '../keys/keyring.js';
import { readTrustServerUrl } from '../notary/client.js';
import { pemBodyLines } from '../keys/pem.js';
import { parseDuration } from '../signer/refresh.js';

export type Command = 'sign' | 'verify' | 'revoke' | 'refresh' | 'signer-add' | 'signer-remove';

const COMMANDS: readonly Command[] = [
  'sign',
  'verify',
  'revoke',
  'refresh',
  'signer-add',
  'signer-remove',
];

export const INPUT_NAMES = [
  'command',
  'images',
  'digest',
  'keys',
  'passphrase',
  'root-passphrase',
  'trust-server',
  'ca-cert',
  'insecure-registries',
  'registry-username',
  'registry-password',
  'signer',
  'required-signers',
  'root-key-ids',
  'signer-keys',
  'cache',
  'cosign',
  'cosign-key',
  'cosign-password',
  'expires-within',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];
export type RawInputs = Partial<Record<InputName, string | undefined>>;
export type Env = Record<string, string | undefined>;

export interface Inputs {
  command: Command;
  images: string[];
  digest?: string;
  /** The `keys` input as given (PEM, base64 of PEM, or base64 of a tar.gz). Secret. */
  keys?: string;
  passphrase?: string;
  rootPassphrase?: string;
  trustServer?: string;
  caPem?: string;
  /** `host[:port]` of registries to reach over plain HTTP (loopback ones need no entry). */
  insecureRegistries: string[];
  username?: string;
  password?: string;
  signers: string[];
  requiredSigners: string[];
  rootKeyIds: string[];
  /** For signer-add: the PEM public keys (or certificates) of the signer. */
  signerKeys?: string;
  cache: boolean;
  dockerConfigDir?: string;
  /** Also sign (sign) or require (verify) cosign signatures. */
  cosign: boolean;
  /** PEM of a cosign encrypted private key to sign with instead of the signer key. Secret. */
  cosignKey?: string;
  cosignPassword?: string;
  /** For refresh: re-sign what expires within this many milliseconds (`expires-within`). */
  expiresWithinMs: number;
}

/** Every problem found in the inputs, one line each (the boundary prints one line per problem). */
export class InputsError extends DctError {
  readonly problems: string[];

  constructor(problems: string[]) {
    super('INPUT_INVALID', problems.join('\n'));
    this.problems = problems;
  }
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{64}$/;
/** A registry as image references name it: a host name or [IPv6], optionally a port. */
const REGISTRY_HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;
const SIGNER = /^(?:targets\/)?[a-z0-9][a-z0-9_-]*$/;
const TRUE = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE = new Set(['false', 'no', 'n', 'off', '0']);

/** Quote a user's value for a message, shortened so a pasted blob cannot flood the log. */
function shown(value: string): string {
  const v = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(v);
}

/** Split on newlines and commas, trim, drop empties and duplicates (order kept). */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const items = value
    .split(/[\r\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...new Set(items)];
}

function text(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === '' ? undefined : v;
}

/** Secret values exactly as given (not trimmed): what the runner could otherwise print. */
function secret(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * The values to mask and to redact from messages: the `keys` input whole and line by line,
 * the passphrases (inputs or their env fallbacks) and the registry password. PEM armour and
 * `name: value` header lines of `keys` are left out: they are not secret, and masking a
 * `gun:` line would hide repository names all over the log.
 */
export function secretValues(raw: RawInputs, env: Env): string[] {
  const out = new Set<string>();
  for (const keys of [secret(raw.keys), secret(raw['cosign-key'])]) {
    if (keys === undefined) continue;
    out.add(keys);
    out.add(keys.trim());
    for (const line of keys.split(/\r?\n/)) {
      const l = line.trim();
      if (l === '' || l.startsWith('-----') || /^[A-Za-z][A-Za-z0-9-]*:\s/.test(l)) continue;
      out.add(l);
    }
  }
  // Each passphrase line as well: a key may be opened by one line of several.
  for (const v of [
    raw.passphrase,
    env.DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE,
    raw['root-passphrase'],
    env.DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE,
  ]) {
    const s = secret(v);
    for (const p of passphraseCandidates(s)) out.add(p);
  }
  const rawPassword = secret(raw['registry-password']);
  if (rawPassword !== undefined) out.add(rawPassword);
  // cosign's password is one value, used as given (cosign reads COSIGN_PASSWORD so).
  for (const v of [raw['cosign-password'], env.COSIGN_PASSWORD]) {
    const s = secret(v);
    if (s !== undefined) out.add(s);
  }
  // A private key pasted into signer-keys by mistake is refused, but must not show either.
  const signerKeys = raw['signer-keys'];
  if (signerKeys !== undefined && /PRIVATE KEY-----/.test(signerKeys)) {
    for (const line of pemBodyLines(signerKeys)) out.add(line);
  }
  // The password is used trimmed (as docker/login-action reads it): mask that form too.
  const password = text(raw['registry-password']);
  if (password !== undefined) out.add(password);
  return [...out];
}

function parseBool(name: InputName, value: string | undefined, dflt: boolean, bad: string[]) {
  const v = text(value)?.toLowerCase();
  if (v === undefined) return dflt;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  // Set: an absent value took the default above.
  bad.push(`\`${name}\` must be true or false; got ${shown(value!)}`);
  return dflt;
}

function parseTrustServer(value: string, source: string, bad: string[]): string | undefined {
  const t = readTrustServerUrl(value);
  if (t === undefined) {
    bad.push(
      `${source} must be an https:// URL such as https://notary.example.com:4443; got ${shown(value)}`,
    );
    return undefined;
  }
  if (t.credentials) {
    // The value holds credentials: do not echo it.
    bad.push(
      `${source} must not hold credentials; give them as registry-username and registry-password`,
    );
    return undefined;
  }
  if (!t.https || t.query) {
    bad.push(
      `${source} must be an https:// URL without query, such as https://notary.example.com:4443; got ${shown(value)}`,
    );
    return undefined;
  }
  return t.normal;
}

/**
 * Validate raw input values (as `core.getInput` returns them; absent = undefined or '') and
 * apply the env fallbacks. Throws `InputsError` listing every problem found.
 */
export function parseInputs(raw: RawInputs, env: Env = {}): Inputs {
  const bad: string[] = [];

  const cmd = (text(raw.command) ?? 'sign').toLowerCase();
  const command = COMMANDS.find((c) => c === cmd);
  if (command === undefined) {
    // Set: an absent command is sign.
    bad.push(
      `\`command\` must be sign, verify, revoke, refresh, signer-add or signer-remove; got ${shown(raw.command!)}`,
    );
  }
  const admin = command === 'signer-add' || command === 'signer-remove';

  const images = splitList(raw.images);
  if (images.length === 0) {
    bad.push(
      '`images` is empty: give one image reference per line, e.g. registry.example.com/team/app:1.0',
    );
  }
  for (const image of images) {
    if (/\s/.test(image)) {
      bad.push(
        `\`images\` must hold one image reference per line or comma; ${shown(image)} contains spaces`,
      );
    }
  }

  const digest = text(raw.digest);
  if (digest !== undefined && !DIGEST.test(digest)) {
    bad.push(
      `\`digest\` must be sha256: followed by 64 lowercase hex digits (a build step's digest output); got ${shown(digest)}`,
    );
  }

  const signers = splitList(raw.signer);
  const requiredSigners = splitList(raw['required-signers']);
  if (admin) {
    // docker's rule for the one signer a signer command names (notary-spec.md §6.4).
    const name = signers.length === 1 ? signers[0].replace(/^targets\//, '') : undefined;
    if (name === undefined || !/^[a-z0-9][a-z0-9_-]*$/.test(name) || name === 'releases') {
      bad.push(
        `\`signer\` must name the one signer to ${command === 'signer-add' ? 'add' : 'remove'}: lowercase letters, digits, - and _, starting with a letter or digit, not releases (e.g. ci); got ${shown(raw.signer ?? '')}`,
      );
    } else {
      signers[0] = name;
    }
  }
  for (const [name, list] of [
    ['signer', admin ? [] : signers],
    ['required-signers', requiredSigners],
  ] as const) {
    for (const s of list) {
      if (!SIGNER.test(s)) {
        bad.push(
          `\`${name}\` must list delegation names such as ci or targets/ci (lowercase letters, digits, _ and -); got ${shown(s)}`,
        );
      }
    }
  }

  const rootKeyIds = splitList(raw['root-key-ids']).map((id) => id.toLowerCase());
  for (const id of rootKeyIds) {
    if (!KEY_ID.test(id)) {
      bad.push(`\`root-key-ids\` must list key IDs of 64 hex digits; got ${shown(id)}`);
    }
  }

  let trustServer: string | undefined;
  const ts = text(raw['trust-server']);
  const tsEnv = text(env.DOCKER_CONTENT_TRUST_SERVER);
  if (ts !== undefined) trustServer = parseTrustServer(ts, '`trust-server`', bad);
  else if (tsEnv !== undefined) {
    trustServer = parseTrustServer(tsEnv, '`trust-server` (from DOCKER_CONTENT_TRUST_SERVER)', bad);
  }

  const caPem = text(raw['ca-cert']);
  if (caPem !== undefined && !caPem.includes('-----BEGIN CERTIFICATE-----')) {
    bad.push('`ca-cert` must be PEM text with one or more -----BEGIN CERTIFICATE----- blocks');
  }

  const insecureRegistries: string[] = [];
  for (const entry of splitList(raw['insecure-registries'])) {
    // The docker daemon drops a scheme from these entries too.
    const host = entry.replace(/^https?:\/\//i, '').toLowerCase();
    if (REGISTRY_HOST.test(host)) insecureRegistries.push(host);
    else {
      bad.push(
        `\`insecure-registries\` must list registries as host[:port], such as registry.local:5000; got ${shown(entry)}`,
      );
    }
  }

  const username = text(raw['registry-username']);
  // Trimmed, as docker/login-action reads them: a secret saved with a newline still works.
  const password = text(raw['registry-password']);
  if ((username === undefined) !== (password === undefined)) {
    const [given, missing] =
      username === undefined
        ? ['registry-password', 'registry-username']
        : ['registry-username', 'registry-password'];
    bad.push(
      `\`${given}\` is set but \`${missing}\` is not: give both, or neither to use the Docker config`,
    );
  }

  const keys = secret(raw.keys);
  if (keys === undefined && command !== undefined && command !== 'verify') {
    const which = admin
      ? 'the repository key (and, to create a repository, its root key)'
      : 'your key files';
    bad.push(
      `\`keys\` is required for ${command}: give the PEM text of ${which} from ~/.docker/trust/private (e.g. keys: \${{ secrets.DCT_KEYS }})`,
    );
  }

  const signerKeys = text(raw['signer-keys']);
  if (command === 'signer-add' && signerKeys === undefined) {
    bad.push(
      "`signer-keys` is required for signer-add: the signer's public key (the NAME.pub file `dct key generate NAME` or `docker trust key generate NAME` writes), or its certificate",
    );
  } else if (signerKeys !== undefined && command !== undefined && command !== 'signer-add') {
    bad.push(`\`signer-keys\` is only used by signer-add, not ${command}`);
  }

  const cache = parseBool('cache', raw.cache, true, bad);

  const cosign = parseBool('cosign', raw.cosign, false, bad);
  const cosignKey = secret(raw['cosign-key']);
  if (cosign && command === 'revoke') {
    bad.push(
      '`cosign` is for sign and verify: revoke does not remove cosign signatures, which belong to digests, not tags',
    );
  } else if (cosign && (admin || command === 'refresh')) {
    bad.push(`\`cosign\` is for sign and verify, not ${command}`);
  }
  if (cosignKey !== undefined) {
    if (!cosign) bad.push('`cosign-key` is set but `cosign` is not true: set `cosign: true`');
    else if (command === 'verify') {
      bad.push(
        '`cosign-key` is for sign; verify checks cosign signatures against the keys the trust data delegates to',
      );
    }
    if (!/-----BEGIN ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY-----/.test(cosignKey)) {
      bad.push(
        '`cosign-key` must be the PEM text of a cosign.key file (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----), as `cosign generate-key-pair` writes it',
      );
    }
  }

  const expiresWithinMs = parseExpiresWithin(raw['expires-within'], command, bad);

  if (bad.length > 0 || command === undefined) throw new InputsError(bad);
  return {
    command,
    images,
    digest,
    keys,
    passphrase: secret(raw.passphrase) ?? secret(env.DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE),
    rootPassphrase:
      secret(raw['root-passphrase']) ?? secret(env.DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE),
    trustServer,
    caPem,
    insecureRegistries: [...new Set(insecureRegistries)],
    username,
    password,
    signers,
    requiredSigners,
    rootKeyIds: [...new Set(rootKeyIds)],
    ...(signerKeys === undefined ? {} : { signerKeys }),
    cache,
    dockerConfigDir: text(env.DOCKER_CONFIG),
    cosign,
    cosignKey,
    // cosign's own rule: COSIGN_PASSWORD, which may be empty (a key without password). Only
    // whitespace counts as not given, as for the passphrases: such a value is not masked.
    cosignPassword:
      secret(raw['cosign-password']) ??
      (env.COSIGN_PASSWORD === '' ? '' : secret(env.COSIGN_PASSWORD)),
    expiresWithinMs,
  };
}

/** `expires-within` (default 90d), for refresh only. */
function parseExpiresWithin(
  value: string | undefined,
  command: Command | undefined,
  bad: string[],
): number {
  const given = text(value);
  if (given !== undefined && command !== undefined && command !== 'refresh') {
    bad.push(`\`expires-within\` is only used by refresh, not ${command}`);
  }
  try {
    return parseDuration(given ?? '90d');
  } catch (e) {
    bad.push(e instanceof Error ? e.message : String(e));
    return 0;
  }
}

/** Read every input once. Secrets are not trimmed (a passphrase may end in a space). */
export function readRawInputs(getInput: (name: string) => string): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) {
    raw[name] = getInput(name);
  }
  return raw;
}

export interface InputsCore {
  getInput(name: string, options?: { trimWhitespace?: boolean }): string;
  setSecret(value: string): void;
}

/**
 * Read, mask and validate the inputs. The secrets are masked before validation, so a failed
 * validation cannot leave one unmasked. `mask` (by default the runner's `setSecret`) is
 * called with each secret value.
 */
export function getInputs(
  c: InputsCore = core,
  env: Env = process.env,
  mask: (secret: string) => void = (s) => c.setSecret(s),
): Inputs {
  const raw = readRawInputs((name) => c.getInput(name, { trimWhitespace: false }));
  for (const s of secretValues(raw, env)) mask(s);
  return parseInputs(raw, env);
}
