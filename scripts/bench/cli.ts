// The Go notary CLI doing the same work as the action, as a shell script would: one
// `addhash` per tag, then one `publish` per repository, from a cold trust dir.
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { passphraseEnv, type TrustedRepo } from '../../__tests__/support/notary-cli.js';
import { DOCKER_BIN } from '../../__tests__/support/docker-cli.js';
import { NOTARY_BIN, type Sandbox } from '../../__tests__/support/servers.js';
import { timed, type Sample } from './measure.js';

export interface CliTag {
  gun: string;
  tag: string;
  digest: string; // sha256:<hex>
  size: number;
}

/** The real cosign and a key it signs with (`cosign sign --key`). */
export interface CosignCli {
  bin: string;
  keyFile: string;
  password: string;
}

/** The roles the action signs into with a docker-made repository's `ci` key. */
export const SIGN_ROLES = ['targets/releases', 'targets/ci'];

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A fresh trust dir holding only the repositories' private keys (no metadata, no trusted
 * root: the CLI trusts on first use, as the action does without a cache).
 */
export async function coldTrustDir(baseDir: string, repos: TrustedRepo[] = []): Promise<string> {
  const dir = await mkdtemp(join(baseDir, 'cli-'));
  await chmod(dir, 0o700);
  if (repos.length > 0) {
    const priv = join(dir, 'private');
    await mkdir(priv, { mode: 0o700 });
    for (const repo of repos) {
      for (const [name, pem] of Object.entries(repo.keyFiles)) {
        await writeFile(join(priv, name), pem, { mode: 0o600 });
      }
    }
  }
  return dir;
}

function cliEnv(trustDir: string, repo?: TrustedRepo): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // notary reads ~/.notary/config.json: keep any real one out.
    HOME: trustDir,
    ...(repo ? passphraseEnv(repo.passphrase, repo.rootPassphrase) : {}),
  };
}

/**
 * `addhash` for every tag, then `publish` of every repository touched, in one `sh` run (its
 * peak RSS is the largest notary process's). The repositories share one passphrase.
 */
export async function cliSign(
  sb: Sandbox,
  baseDir: string,
  repos: TrustedRepo[],
  tags: CliTag[],
  cosign?: CosignCli,
): Promise<Sample> {
  const trustDir = await coldTrustDir(baseDir, repos);
  const n = [NOTARY_BIN, '-s', sb.notary.url, '--tlscacert', sb.caFile, '-d', trustDir]
    .map(sq)
    .join(' ');
  const roles = SIGN_ROLES.flatMap((r) => ['-r', r]).join(' ');
  const lines = ['set -e'];
  for (const t of tags) {
    const hex = t.digest.replace(/^sha256:/, '');
    lines.push(`${n} addhash ${sq(t.gun)} ${sq(t.tag)} ${t.size} --sha256 ${hex} ${roles}`);
  }
  for (const gun of new Set(tags.map((t) => t.gun))) lines.push(`${n} publish ${sq(gun)}`);
  if (cosign !== undefined) {
    // One cosign run signs every digest, as `cosign sign` takes many images.
    const refs = [...new Set(tags.map((t) => `${t.gun}@${t.digest}`))].map(sq).join(' ');
    lines.push(`${sq(cosign.bin)} sign --key ${sq(cosign.keyFile)} --tlog-upload=false -y ${refs}`);
  }
  const script = join(trustDir, 'sign.sh');
  await writeFile(script, lines.join('\n') + '\n');
  const cosignEnv: Record<string, string> =
    cosign === undefined
      ? {}
      : { SSL_CERT_FILE: sb.caFile, COSIGN_PASSWORD: cosign.password, DOCKER_CONFIG: trustDir };
  const s = await timed('/bin/sh', [script], {
    env: { ...cliEnv(trustDir, repos[0]), ...cosignEnv },
    cwd: trustDir,
    scratchDir: baseDir,
  });
  if (s.code !== 0) throw new Error(`notary sign script exited ${s.code}: ${s.stderr.trim()}`);
  return s;
}

/** `notary list <gun>` from an empty trust dir. */
export async function cliList(sb: Sandbox, baseDir: string, gun: string): Promise<Sample> {
  const trustDir = await coldTrustDir(baseDir);
  const args = ['-s', sb.notary.url, '--tlscacert', sb.caFile, '-d', trustDir, 'list', gun];
  const s = await timed(NOTARY_BIN, args, {
    env: cliEnv(trustDir),
    cwd: trustDir,
    scratchDir: baseDir,
  });
  if (s.code !== 0) throw new Error(`notary list exited ${s.code}: ${s.stderr.trim()}`);
  return s;
}

/**
 * `docker trust signer add --key ci.pub ci <gun>` on a repository with no trust data, from a
 * fresh DOCKER_CONFIG holding only the root key (docker reuses it and makes the repository
 * key): the one command the action's signer-add replaces (docker 28, no daemon needed).
 */
export async function dockerSignerAdd(
  sb: Sandbox,
  baseDir: string,
  gun: string,
  rootKey: { id: string; pem: string },
  pub: string,
  passphrases: { root: string; repository: string },
): Promise<Sample> {
  const config = await mkdtemp(join(baseDir, 'docker-'));
  await chmod(config, 0o700);
  const priv = join(config, 'trust', 'private');
  await mkdir(priv, { recursive: true, mode: 0o700 });
  await writeFile(join(priv, `${rootKey.id}.key`), rootKey.pem, { mode: 0o600 });
  const tls = join(config, 'tls', new URL(sb.notary.url).host);
  await mkdir(tls, { recursive: true });
  await writeFile(join(tls, 'ca.crt'), sb.caPem);
  await writeFile(join(config, 'ci.pub'), pub);
  const s = await timed(
    DOCKER_BIN,
    ['trust', 'signer', 'add', '--key', join(config, 'ci.pub'), 'ci', gun],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: config,
        DOCKER_CONFIG: config,
        DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
        DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: passphrases.root,
        DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: passphrases.repository,
      },
      cwd: config,
      scratchDir: baseDir,
    },
  );
  if (s.code !== 0) throw new Error(`docker trust signer add exited ${s.code}: ${s.stderr.trim()}`);
  return s;
}

/** A fresh DOCKER_CONFIG that trusts the sandbox's CA for the trust server, nothing cached. */
async function coldDockerConfig(sb: Sandbox, baseDir: string): Promise<string> {
  const config = await mkdtemp(join(baseDir, 'docker-'));
  await chmod(config, 0o700);
  const tls = join(config, 'tls', new URL(sb.notary.url).host);
  await mkdir(tls, { recursive: true });
  await writeFile(join(tls, 'ca.crt'), sb.caPem);
  return config;
}

function dockerEnv(sb: Sandbox, config: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: config,
    DOCKER_CONFIG: config,
    DOCKER_CONTENT_TRUST_SERVER: sb.notary.url,
  };
}

/** Throws unless `stdout` is docker's inspect JSON for one repository with `tags` signed tags. */
export function checkInspect(what: string, s: Sample, tags: number): void {
  if (s.code !== 0) throw new Error(`${what} exited ${s.code}: ${s.stderr.trim()}`);
  const parsed = JSON.parse(s.stdout) as { SignedTags: unknown[] }[];
  if (parsed.length !== 1 || parsed[0].SignedTags.length !== tags) {
    throw new Error(`${what}: expected ${tags} signed tags, got ${s.stdout.slice(0, 300)}`);
  }
}

/** `docker trust inspect <gun>` (docker 28) from a cold DOCKER_CONFIG. */
export async function dockerInspect(sb: Sandbox, baseDir: string, gun: string): Promise<Sample> {
  const config = await coldDockerConfig(sb, baseDir);
  return timed(DOCKER_BIN, ['trust', 'inspect', gun], {
    env: dockerEnv(sb, config),
    cwd: config,
    scratchDir: baseDir,
  });
}

/** `node <dct> inspect <gun>` from a cold DOCKER_CONFIG: what `dockerInspect` does, in dct. */
export async function dctInspect(
  sb: Sandbox,
  baseDir: string,
  node: string,
  entry: string,
  gun: string,
): Promise<Sample> {
  const config = await coldDockerConfig(sb, baseDir);
  return timed(node, [entry, 'inspect', gun], {
    env: dockerEnv(sb, config),
    cwd: config,
    scratchDir: baseDir,
  });
}
