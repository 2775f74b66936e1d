/**
 * What every `dct` command works with: docker's files and environment (CLI.md), the key
 * directory, the TUF cache, passphrases from the environment or the terminal, and a logger on
 * stderr. Everything the process owns (env, streams, terminal) is injected, so tests drive a
 * command exactly as a user would.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Redactor } from '../redact.js';
import { DctError } from '../errors.js';
import { KeyRing, isRootKeyFile } from '../keys/keyring.js';
import { isEncryptedBlock } from '../keys/pkcs8.js';
import { disposeKeyFiles, type KeyFile } from '../keys/secret.js';
import { trustServerFor } from '../notary/client.js';
import type { ExecFn } from '../registry/credentials.js';
import { parseRepositoryRef } from '../registry/reference.js';
import type { ConnectionOptions, Logger } from '../signer/types.js';
import { KeyStore } from './keystore.js';
import type { Terminal } from './prompt.js';
import { DockerTufStore } from './truststore.js';

export const ROOT_PASSPHRASE_VAR = 'DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE';
export const REPOSITORY_PASSPHRASE_VAR = 'DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE';
export const SERVER_VAR = 'DOCKER_CONTENT_TRUST_SERVER';

export interface CliIO {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout(text: string | Uint8Array): void;
  stderr(text: string): void;
  /** Absent when stdin is not a terminal: nothing is asked, a variable must say it. */
  terminal?: Terminal;
  /** Runs a Docker credential helper; default: `execHelper` of registry/credentials.ts. */
  execCredentialHelper?: ExecFn;
  now?: () => Date;
}

export type PassphraseKind = 'root' | 'repository';

export class CliContext {
  readonly env: Record<string, string | undefined>;
  readonly dockerConfigDir: string;
  readonly keyStore: KeyStore;
  readonly tufStore: DockerTufStore;
  readonly log: Logger;
  readonly redactor = new Redactor();
  readonly now: () => Date;
  private readonly passphrases = new Map<PassphraseKind, string>();

  constructor(
    readonly io: CliIO,
    readonly debug = false,
  ) {
    this.env = io.env;
    this.now = io.now ?? (() => new Date());
    const home = io.env.HOME && io.env.HOME !== '' ? io.env.HOME : homedir();
    this.dockerConfigDir =
      io.env.DOCKER_CONFIG && io.env.DOCKER_CONFIG !== ''
        ? io.env.DOCKER_CONFIG
        : join(home, '.docker');
    this.keyStore = new KeyStore(join(this.dockerConfigDir, 'trust', 'private'));
    const warned = new Set<string>();
    this.log = {
      info: (m) => this.err(m),
      warning: (m) => {
        if (warned.has(m)) return;
        warned.add(m);
        this.err(`warning: ${m}`);
      },
      debug: (m) => {
        if (this.debug) this.err(`debug: ${m}`);
      },
    };
    this.tufStore = new DockerTufStore(join(this.dockerConfigDir, 'trust', 'tuf'), this.log);
    for (const v of [ROOT_PASSPHRASE_VAR, REPOSITORY_PASSPHRASE_VAR]) {
      const p = io.env[v];
      if (p) this.redactor.add(p);
    }
  }

  /** A line for programs (stdout). */
  out(line: string): void {
    this.io.stdout(`${line}\n`);
  }

  /** A line for people (stderr). */
  err(line: string): void {
    this.io.stderr(`${this.redactor.redact(line)}\n`);
  }

  /** The trust server given by DOCKER_CONTENT_TRUST_SERVER, if any. */
  get trustServer(): string | undefined {
    const s = this.env[SERVER_VAR]?.trim();
    return s === '' ? undefined : s;
  }

  /**
   * Network settings for the repositories named: the trust server, each server's CA from
   * `$DOCKER_CONFIG/tls/<host[:port]>/ca.crt`, registry credentials from the Docker config.
   */
  connection(repositories: string[]): ConnectionOptions {
    const hosts = new Set<string>();
    for (const r of repositories) {
      try {
        const ref = parseRepositoryRef(r);
        const server = trustServerFor(ref, this.trustServer);
        hosts.add(new URL(server).host);
        // docker names the folder as the server is written: `host:443` keeps its port
        const written = /^https:\/\/([^/?#]+)/i.exec(this.trustServer ?? server)?.[1];
        if (written !== undefined) hosts.add(written);
        hosts.add(ref.registry);
      } catch {
        // the flow names a bad reference itself
      }
    }
    const cas: string[] = [];
    for (const host of hosts) {
      const file = join(this.dockerConfigDir, 'tls', host, 'ca.crt');
      if (existsSync(file)) cas.push(readFileSync(file, 'utf8'));
    }
    return {
      trustServer: this.trustServer,
      ...(cas.length > 0 ? { caPem: cas.join('\n') } : {}),
      dockerConfigDir: this.dockerConfigDir,
      ...(this.io.execCredentialHelper
        ? { execCredentialHelper: this.io.execCredentialHelper }
        : {}),
      onSecret: (s) => this.redactor.add(s),
      ...(this.debug ? { requestLog: (line: string) => this.log.debug(line) } : {}),
    };
  }

  /**
   * A passphrase: from its variable, else asked on the terminal (twice for a new key, which
   * must have 8 characters or more, as docker required), else an error naming the variable.
   */
  async passphrase(
    kind: PassphraseKind,
    opts: { newKey?: boolean; what?: string } = {},
  ): Promise<string> {
    const known = this.passphrases.get(kind);
    if (known !== undefined) return known;
    const variable = kind === 'root' ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
    const fromEnv = this.env[variable];
    if (fromEnv !== undefined && fromEnv !== '') {
      this.passphrases.set(kind, fromEnv);
      return fromEnv;
    }
    const what = opts.what ?? (kind === 'root' ? 'the root key' : 'the repository keys');
    const terminal = this.io.terminal;
    if (terminal === undefined) {
      throw new DctError(
        'PASSPHRASE_MISSING',
        `a passphrase for ${what} is needed and there is no terminal to ask on; set ${variable}`,
      );
    }
    // docker's wording: "Enter passphrase for new alice key"
    const subject = opts.newKey ? `new ${what.replace(/^the (new )?/, '')}` : what;
    const first = await terminal.ask(`Enter passphrase for ${subject}: `, true);
    if (first === '') {
      throw new DctError('PASSPHRASE_EMPTY', `the passphrase for ${what} is empty`);
    }
    if (opts.newKey) {
      if (first.length < 8) {
        throw new DctError(
          'PASSPHRASE_SHORT',
          `the passphrase for ${what} is shorter than 8 characters; use a longer one`,
        );
      }
      const again = await terminal.ask(`Repeat passphrase for ${subject}: `, true);
      if (again !== first) {
        throw new DctError('PASSPHRASE_MISMATCH', `the passphrases for ${what} do not match`);
      }
    }
    this.redactor.add(first);
    this.passphrases.set(kind, first);
    return first;
  }

  /** Asks a yes/no question on the terminal; undefined when there is none. */
  async confirm(question: string): Promise<boolean | undefined> {
    if (this.io.terminal === undefined) return undefined;
    const answer = await this.io.terminal.ask(`${question} [y/N] `, false);
    return /^y(es)?$/i.test(answer.trim());
  }

  /**
   * Opens the keys of the directory a command may use: root keys (`root`), the others
   * (`signing`), or both. For a repository, its own targets and snapshot keys and every
   * delegation key are candidates; another repository's are never touched. Passphrases are
   * asked only for kinds of key that are there. A key the passphrase does not open is left
   * out with a warning when others of its kind opened (docker asked per key; one passphrase
   * for several repositories is the common case), and is an error when none did.
   */
  async openKeys(include: 'signing' | 'root' | 'all', gun?: string): Promise<KeyRing> {
    const { files, notes } = await this.keyStore.read((s) => this.redactor.add(s));
    for (const n of notes) this.log.debug(n);
    try {
      const wanted = files.filter((f) => {
        const root = isRootKeyFile(f);
        if (include === 'signing' && root) return false;
        if (include === 'root' && !root) return false;
        if (gun !== undefined && !root && f.gun !== undefined && f.gun !== gun) return false;
        return true;
      });
      const needs = (root: boolean): boolean =>
        wanted.some((f) => isRootKeyFile(f) === root && isEncryptedBlock(f.block));
      const opts = {
        include,
        ...(needs(true) ? { rootPassphrase: await this.passphrase('root') } : {}),
        ...(needs(false) ? { passphrase: await this.passphrase('repository') } : {}),
      };
      const logged = (ring: KeyRing): KeyRing => {
        for (const w of ring.warnings) this.log.warning(w);
        return ring;
      };
      try {
        return logged(KeyRing.open(wanted, opts));
      } catch (e) {
        if (!(e instanceof DctError) || e.code !== 'KEY_BAD_PASSPHRASE') throw cliKeyError(e);
      }
      // Find which files stay shut, and keep the rest if each kind has one that opened.
      const opened: KeyFile[] = [];
      const shut: KeyFile[] = [];
      for (const f of wanted) {
        try {
          KeyRing.open([f], opts).dispose();
          opened.push(f);
        } catch {
          shut.push(f);
        }
      }
      for (const root of [true, false]) {
        const kindShut = shut.filter((f) => isRootKeyFile(f) === root);
        if (kindShut.length > 0 && !opened.some((f) => isRootKeyFile(f) === root)) {
          const variable = root ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
          throw new DctError(
            'KEY_BAD_PASSPHRASE',
            `the passphrase (${this.env[variable] ? variable : 'as typed'}) does not open ${kindShut
              .map((f) => `${f.role ?? 'unlabelled'} key ${f.source}`)
              .join(', ')}`,
          );
        }
      }
      for (const f of shut) {
        this.log.warning(
          `${f.role ?? 'unlabelled'} key ${f.source} is not opened by the passphrase given and is not used`,
        );
      }
      return logged(KeyRing.open(opened, opts));
    } finally {
      disposeKeyFiles(files);
    }
  }
}

/** The shared flows speak of the action's inputs; on the command line they are variables and files. */
export function cliKeyError(e: unknown): unknown {
  if (!(e instanceof DctError)) return e;
  const message = cliWording(e.message);
  return message === e.message ? e : new DctError(e.code, message, { cause: e });
}

/** A message of the shared flows in the command line's words (see cliKeyError). */
export function cliWording(message: string): string {
  return message
    .replace(/`root-passphrase`( input)?/g, ROOT_PASSPHRASE_VAR)
    .replace(/`passphrase`( input)?/g, REPOSITORY_PASSPHRASE_VAR)
    .replace(/`keys`/g, 'the key directory')
    .replace(
      /`?registry-username`?\/`?registry-password`?/g,
      'the credentials of `docker login` ($DOCKER_CONFIG/config.json)',
    )
    .replace("this action's `signer-add` command, or ", '');
}
