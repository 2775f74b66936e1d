/** Drives `dct` in-process, as a user would, against the sandbox's servers. */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { Terminal } from '../../src/cli/prompt.js';
import type { Sandbox } from '../support/servers.js';

export { serverBytes } from '../signer/admin-helpers.js';

export const REPO_PASS = 'repo-passphrase-123';
export const ROOT_PASS = 'root-passphrase-123';

export interface DctResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A scripted terminal: answers in order, questions recorded. */
export class FakeTerminal implements Terminal {
  readonly questions: string[] = [];
  constructor(private readonly answers: string[]) {}
  ask(question: string): Promise<string> {
    this.questions.push(question);
    const a = this.answers.shift();
    if (a === undefined) return Promise.reject(new Error(`unexpected question: ${question}`));
    return Promise.resolve(a);
  }
}

/** One user: a `DOCKER_CONFIG` (with the sandbox CA for both servers), a working directory. */
export class DctUser {
  private constructor(
    readonly sb: Sandbox,
    readonly configDir: string,
    readonly cwd: string,
    /** The environment every run gets (passphrases included unless removed). */
    readonly env: Record<string, string | undefined>,
  ) {}

  static async create(sb: Sandbox, env: Record<string, string | undefined> = {}): Promise<DctUser> {
    const base = await mkdtemp(join(sb.dir, 'dct-'));
    const configDir = join(base, 'docker');
    const cwd = join(base, 'work');
    await mkdir(cwd, { recursive: true });
    for (const host of [new URL(sb.notary.url).host, sb.registry.host]) {
      const tls = join(configDir, 'tls', host);
      await mkdir(tls, { recursive: true });
      await writeFile(join(tls, 'ca.crt'), sb.caPem);
    }
    return new DctUser(sb, configDir, cwd, {
      DOCKER_CONFIG: configDir,
      HOME: base,
      DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
      DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: ROOT_PASS,
      DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: REPO_PASS,
      ...env,
    });
  }

  /** docker's and notary's trust directory. */
  get trustDir(): string {
    return join(this.configDir, 'trust');
  }

  async run(
    args: string[],
    opts: { env?: Record<string, string | undefined>; terminal?: Terminal } = {},
  ): Promise<DctResult> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      env: { ...this.env, ...opts.env },
      cwd: this.cwd,
      stdout: (t) => {
        stdout += typeof t === 'string' ? t : Buffer.from(t).toString('utf8');
      },
      stderr: (t) => {
        stderr += t;
      },
      ...(opts.terminal ? { terminal: opts.terminal } : {}),
    });
    return { code, stdout, stderr };
  }

  /** Runs and expects success; returns stdout. */
  async ok(args: string[], opts: Parameters<DctUser['run']>[1] = {}): Promise<string> {
    const r = await this.run(args, opts);
    expect(r.code, `dct ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  }

  /** Runs and expects exit 1 with exactly one stderr line matching `text`; returns that line. */
  async fails(
    args: string[],
    text: RegExp,
    opts: Parameters<DctUser['run']>[1] = {},
  ): Promise<string> {
    const r = await this.run(args, opts);
    expect(r.code, `dct ${args.join(' ')} should fail: ${r.stdout}`).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('warning: '));
    const errors = lines.filter((l) => text.test(l));
    expect(errors, r.stderr).toHaveLength(1);
    // Nothing else but the flows' progress notes before the error line.
    expect(lines[lines.length - 1]).toBe(errors[0]);
    for (const secret of [ROOT_PASS, REPO_PASS]) expect(r.stderr).not.toContain(secret);
    return errors[0];
  }

  /** `<key id>.key` files of the key directory, with their `role:` and `gun:` headers. */
  async keyFiles(): Promise<{ id: string; role?: string; gun?: string }[]> {
    const dir = join(this.trustDir, 'private');
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.key')).sort();
    } catch {
      return [];
    }
    const out = [];
    for (const n of names) {
      const text = await readFile(join(dir, n), 'utf8');
      const role = /^role: (.*)$/m.exec(text)?.[1];
      const gun = /^gun: (.*)$/m.exec(text)?.[1];
      out.push({
        id: n.slice(0, -4),
        ...(role ? { role } : {}),
        ...(gun ? { gun } : {}),
      });
    }
    return out;
  }

  /** `dct key generate NAME`: returns the key ID and the path of NAME.pub. */
  async generate(name: string): Promise<{ id: string; pub: string }> {
    const before = new Set((await this.keyFiles()).map((k) => k.id));
    await this.ok(['key', 'generate', name]);
    const made = (await this.keyFiles()).filter((k) => !before.has(k.id));
    expect(made).toHaveLength(1);
    return { id: made[0].id, pub: join(this.cwd, `${name}.pub`) };
  }
}

export const NONE = 'root:none\ntargets:none\nsnapshot:none';
