// Drives the docker 28 client's `docker trust` (no daemon needed) against the sandbox: a
// second independent judge of what our code publishes, with its own trust directory.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from './servers.js';

export const DOCKER_BIN = '/usr/local/bin/docker';

/** `docker trust inspect`'s JSON for one repository. */
export interface TrustInspect {
  Name: string;
  SignedTags: { SignedTag: string; Digest: string; Signers: string[] }[];
  Signers: { Name: string; Keys: { ID: string }[] }[];
  AdministrativeKeys: { Name: string; Keys: { ID: string }[] }[];
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class DockerTrust {
  /** `DOCKER_CONFIG`: its `trust/` is docker's trust directory (warm across calls). */
  readonly configDir: string;
  private readonly ready: Promise<void>;

  constructor(
    private readonly sb: Sandbox,
    configDir?: string,
  ) {
    this.configDir = configDir ?? join(sb.dir, `docker-${Math.random().toString(36).slice(2, 10)}`);
    this.ready = this.setUp();
  }

  private async setUp(): Promise<void> {
    await mkdir(this.configDir, { recursive: true, mode: 0o700 });
    // docker trusts $DOCKER_CONFIG/tls/<host:port>/*.crt for that server (notary-spec.md §7.5).
    const tls = join(this.configDir, 'tls', new URL(this.sb.notary.url).host);
    await mkdir(tls, { recursive: true });
    await writeFile(join(tls, 'ca.crt'), this.sb.caPem);
  }

  async run(args: string[], env: Record<string, string> = {}, input = ''): Promise<DockerResult> {
    await this.ready;
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.configDir,
      DOCKER_CONFIG: this.configDir,
      DOCKER_CONTENT_TRUST_SERVER: this.sb.notary.url,
    };
    return new Promise((resolve) => {
      const child = execFile(
        DOCKER_BIN,
        args,
        { env: { ...base, ...env }, timeout: 120_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      // A CLI that exits before reading its stdin makes the write fail (EPIPE): that is no error.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(input);
    });
  }

  /** `docker trust inspect REPO`; throws with docker's output when it fails. */
  async inspect(repo: string): Promise<TrustInspect> {
    const r = await this.run(['trust', 'inspect', repo]);
    if (r.code !== 0) {
      throw new Error(`docker trust inspect ${repo} exited ${r.code}: ${r.stderr.trim()}`);
    }
    const parsed = JSON.parse(r.stdout) as TrustInspect[];
    return parsed[0];
  }
}

/** A DockerTrust with a fresh config dir under the sandbox. */
export async function freshDocker(sb: Sandbox): Promise<DockerTrust> {
  return new DockerTrust(sb, await mkdtemp(join(sb.dir, 'docker-')));
}
