// Drives the real Go `notary` CLI (Debian 0.7.0) against the sandbox: repositories made the
// way docker makes them, and an independent reader of what our code published.
import { execFile } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NOTARY_BIN, type Sandbox } from './servers.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ListedTarget {
  name: string;
  /** `sha256:<hex>` (notary prints the bare hex). */
  digest: string;
  size: number;
  role: string;
}

export interface NotaryCliOptions {
  /** Token-service credentials sent as NOTARY_AUTH. Default: the sandbox's first user when
   * the sandbox has a token service; `null` = anonymous. */
  auth?: { username: string; password: string } | null;
}

export class NotaryCli {
  readonly trustDir: string;
  private readonly ready: Promise<void>;
  private readonly auth: { username: string; password: string } | undefined;

  /** A fresh trust dir in `sb.dir` unless `trustDir` is given. */
  constructor(
    private readonly sb: Sandbox,
    trustDir?: string,
    opts: NotaryCliOptions = {},
  ) {
    this.trustDir = trustDir ?? join(sb.dir, `trust-${Math.random().toString(36).slice(2, 10)}`);
    this.ready = mkdir(this.trustDir, { recursive: true, mode: 0o700 }).then(() => undefined);
    const first = Object.entries(sb.token?.users ?? {})[0];
    this.auth =
      opts.auth === null
        ? undefined
        : (opts.auth ?? (first ? { username: first[0], password: first[1] } : undefined));
  }

  /** `notary -s <server> --tlscacert <ca> -d <trustDir> …args`, with a clean environment. */
  /** `input` answers the CLI's confirmation prompts (e.g. `yes\n` for a root rotation). */
  async run(args: string[], env: Record<string, string> = {}, input = ''): Promise<CliResult> {
    await this.ready;
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // notary reads ~/.notary/config.json; keep the user's out of the tests.
      HOME: this.trustDir,
    };
    if (this.auth) {
      base.NOTARY_AUTH = Buffer.from(`${this.auth.username}:${this.auth.password}`).toString(
        'base64',
      );
    }
    const full = ['-s', this.sb.notary.url, '--tlscacert', this.sb.caFile, '-d', this.trustDir];
    return new Promise((resolve) => {
      const child = execFile(
        NOTARY_BIN,
        [...full, ...args],
        { env: { ...base, ...env }, timeout: 120_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      // No terminal: a passphrase prompt fails at once instead of hanging. A CLI that exits
      // before reading its input closes the pipe: that EPIPE is no error of the test.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });
  }

  /** Like `run`, but throws with the CLI's output when it exits non-zero. */
  async ok(args: string[], env: Record<string, string> = {}, input = ''): Promise<string> {
    const r = await this.run(args, env, input);
    if (r.code !== 0) {
      const out = `${r.stdout.trim()}\n${r.stderr.trim()}`.trim();
      throw new Error(`notary ${args.join(' ')} exited ${r.code}: ${out}`);
    }
    return r.stdout;
  }

  /**
   * Signs `name` -> (digest, size) into `roles` (default: what notary picks) and publishes,
   * as `docker trust sign` would for an image tag: sha256 only (notary-spec.md §8).
   */
  async addTarget(
    gun: string,
    name: string,
    target: { digest: string; size: number },
    env: Record<string, string>,
    roles: string[] = [],
  ): Promise<void> {
    const hex = target.digest.replace(/^sha256:/, '');
    const r = roles.flatMap((role) => ['-r', role]);
    await this.ok(['addhash', gun, name, String(target.size), '--sha256', hex, ...r], env);
    await this.ok(['publish', gun], env);
  }

  /** The targets `notary list <gun> [-r role]` shows ([] when none; throws on failure). */
  async list(gun: string, role?: string): Promise<ListedTarget[]> {
    return parseList(await this.ok(['list', gun, ...(role ? ['-r', role] : [])]));
  }
}

/** Parses the table of `notary list`: NAME DIGEST SIZE (BYTES) ROLE. */
export function parseList(stdout: string): ListedTarget[] {
  const out: ListedTarget[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\S+)\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)\s*$/.exec(line);
    if (m) out.push({ name: m[1], digest: `sha256:${m[2]}`, size: Number(m[3]), role: m[4] });
  }
  return out;
}

export interface TrustedRepo {
  gun: string;
  passphrase: string;
  rootPassphrase: string;
  /** The private key files notary wrote, keyed by file name (`<id>.key`), PEM text. */
  keyFiles: Record<string, string>;
  /** All key files concatenated: what a user would paste into the `keys` secret. */
  keysPem: string;
  /** Canonical ID of the signer key (absent when `signer` is null). */
  signerKeyId?: string;
  /** The CLI with the trust dir that created it. */
  cli: NotaryCli;
}

export interface TrustedRepoOptions {
  /** Server-managed snapshot key, docker's layout (default true). */
  serverSnapshot?: boolean;
  /** Delegations targets/releases + targets/<signer> with one signer key, paths [""]
   * (notary-spec.md §6.4); null = no delegations. Default 'ci'. */
  signer?: string | null;
  passphrase?: string;
  rootPassphrase?: string;
  /** The signer key's own passphrase, as `docker trust key generate` asks for one
   *  (default: `passphrase`). */
  signerPassphrase?: string;
  /** Credentials for the token service (see NotaryCliOptions.auth). */
  auth?: { username: string; password: string } | null;
}

/** The passphrase environment of the notary CLI (notary-spec.md §7.5). */
export function passphraseEnv(passphrase: string, rootPassphrase: string): Record<string, string> {
  return {
    NOTARY_ROOT_PASSPHRASE: rootPassphrase,
    NOTARY_TARGETS_PASSPHRASE: passphrase,
    NOTARY_SNAPSHOT_PASSPHRASE: passphrase,
    NOTARY_DELEGATION_PASSPHRASE: passphrase,
  };
}

/** Creates and publishes `gun` with the real CLI, laid out as docker lays it out. */
export async function createTrustedRepo(
  sb: Sandbox,
  gun: string,
  opts: TrustedRepoOptions = {},
): Promise<TrustedRepo> {
  const passphrase = opts.passphrase ?? 'repo-passphrase-123';
  const rootPassphrase = opts.rootPassphrase ?? 'root-passphrase-123';
  const signer = opts.signer === undefined ? 'ci' : opts.signer;
  const cli = new NotaryCli(sb, undefined, opts.auth === undefined ? {} : { auth: opts.auth });
  const env = passphraseEnv(passphrase, rootPassphrase);

  await cli.ok(['init', gun, '--publish'], env);
  if (opts.serverSnapshot ?? true) await cli.ok(['key', 'rotate', gun, 'snapshot', '-r'], env);

  let signerKeyId: string | undefined;
  if (signer !== null) {
    // `key generate --output` writes <out>.pem (PUBLIC KEY, `role:` header) and
    // <out>-key.pem (the encrypted private key, header `role: <signer>`, as docker writes
    // it) without storing it; the keystore names a file by its canonical key ID.
    const work = await mkdtemp(join(sb.dir, 'signer-'));
    const out = join(work, signer);
    const signerEnv = { ...env, NOTARY_DELEGATION_PASSPHRASE: opts.signerPassphrase ?? passphrase };
    await cli.ok(['key', 'generate', 'ecdsa', '--role', signer, '--output', out], signerEnv);
    const pubPem = await readFile(`${out}.pem`, 'utf8');
    signerKeyId = ecdsaKeyId(pubPem);
    const privateDir = join(cli.trustDir, 'private');
    await mkdir(privateDir, { recursive: true, mode: 0o700 });
    const dest = join(privateDir, `${signerKeyId}.key`);
    await copyFile(`${out}-key.pem`, dest);
    await chmod(dest, 0o600);
    for (const role of ['targets/releases', `targets/${signer}`]) {
      await cli.ok(['delegation', 'add', gun, role, `${out}.pem`, '--all-paths'], env);
    }
    await cli.ok(['publish', gun], env);
    const listed = await cli.ok(['delegation', 'list', gun], env);
    for (const role of ['targets/releases', `targets/${signer}`]) {
      const row = listed.split('\n').find((l) => l.trim().startsWith(`${role} `));
      if (!row?.includes(signerKeyId)) {
        throw new Error(`delegation ${role} with key ${signerKeyId} missing:\n${listed}`);
      }
    }
  }

  const keyFiles = await readKeyFiles(join(cli.trustDir, 'private'));
  const repo: TrustedRepo = {
    gun,
    passphrase,
    rootPassphrase,
    keyFiles,
    keysPem: Object.values(keyFiles).join(''),
    cli,
  };
  if (signerKeyId !== undefined) repo.signerKeyId = signerKeyId;
  return repo;
}

/** Every `*.key` below `dir`, keyed by file name. */
export async function readKeyFiles(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.key')) {
      files[entry.name] = await readFile(join(entry.parentPath, entry.name), 'utf8');
    }
  }
  return files;
}

/** TUF key ID of a `PUBLIC KEY` PEM that may carry notary headers (notary-spec.md §2). */
function ecdsaKeyId(pem: string): string {
  const body = pem
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('-----') && !l.includes(':'))
    .join('');
  const spki = createPublicKey({ key: Buffer.from(body, 'base64'), format: 'der', type: 'spki' })
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  const canonical = `{"keytype":"ecdsa","keyval":{"private":null,"public":"${spki}"}}`;
  return createHash('sha256').update(canonical).digest('hex');
}
