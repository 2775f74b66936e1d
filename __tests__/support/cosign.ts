// The real `cosign` as the judge of cosign signatures: Debian trixie's package (it runs on
// bookworm), fetched with `apt-get download` through a private sources list that names the
// trixie suite of the archive this system already uses, unpacked with `dpkg-deb -x` into a
// cache folder. Nothing is installed system-wide and apt's own lists and caches are untouched.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './runner.js';
import type { Sandbox } from './servers.js';

const exec = promisify(execFile);

const CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'cosign-trixie');
export const COSIGN_BIN = join(CACHE_DIR, 'root', 'usr', 'bin', 'cosign');
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** The Debian archive URI the system's apt sources use (not the security archive). */
export async function debianArchive(): Promise<string> {
  const files = ['/etc/apt/sources.list'];
  try {
    for (const f of await readdir('/etc/apt/sources.list.d')) {
      if (f.endsWith('.list') || f.endsWith('.sources')) files.push(`/etc/apt/sources.list.d/${f}`);
    }
  } catch {
    // no sources.list.d
  }
  const uris: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const deb = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/.exec(line);
      const uri = /^\s*URIs:\s*(\S+)/i.exec(line);
      const found = deb?.[1] ?? uri?.[1];
      if (found !== undefined) uris.push(found);
    }
  }
  const archive = uris.find((u) => /\/debian\/?$/.test(u) && !/security/.test(u));
  if (archive === undefined) {
    throw new Error(`no Debian archive among the apt sources (${uris.join(', ') || 'none'})`);
  }
  return archive;
}

async function works(bin: string): Promise<boolean> {
  if (!existsSync(bin)) return false;
  try {
    await exec(bin, ['version'], { timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** The path of a working trixie `cosign`, fetched once into the cache folder. */
export async function ensureCosign(): Promise<string> {
  if (await works(COSIGN_BIN)) return COSIGN_BIN;
  // Fetch beside the cache and rename, so concurrent callers never see half a package.
  const staging = `${CACHE_DIR}.tmp-${process.pid}-${Date.now()}`;
  try {
    for (const d of ['lists/partial', 'cache/archives/partial', 'parts', 'deb', 'root']) {
      await mkdir(join(staging, d), { recursive: true });
    }
    const sources = join(staging, 'sources.list');
    await writeFile(sources, `deb [signed-by=${KEYRING}] ${await debianArchive()} trixie main\n`);
    const opts = [
      `Dir::Etc::SourceList=${sources}`,
      `Dir::Etc::SourceParts=${join(staging, 'parts')}`,
      `Dir::State::Lists=${join(staging, 'lists')}`,
      `Dir::Cache=${join(staging, 'cache')}`,
      'Dir::Cache::pkgcache=',
      'Dir::Cache::srcpkgcache=',
      // The staging folder is root's: apt's download sandbox user could not write into it.
      'APT::Sandbox::User=root',
    ].flatMap((o) => ['-o', o]);
    const big = { maxBuffer: 64 << 20, timeout: 600_000 };
    await exec('apt-get', [...opts, '-qq', 'update'], big);
    await exec('apt-get', [...opts, '-qq', 'download', 'cosign'], {
      ...big,
      cwd: join(staging, 'deb'),
    });
    const debs = (await readdir(join(staging, 'deb'))).filter((f) => f.endsWith('.deb'));
    if (debs.length !== 1) throw new Error(`apt-get download cosign left ${debs.join(', ')}`);
    await exec('dpkg-deb', ['-x', join(staging, 'deb', debs[0]), join(staging, 'root')], big);
    const bin = join(staging, 'root', 'usr', 'bin', 'cosign');
    if (!(await works(bin))) throw new Error(`${debs[0]} holds no working usr/bin/cosign`);
    if (await works(COSIGN_BIN)) return COSIGN_BIN; // another process finished first
    await rm(CACHE_DIR, { recursive: true, force: true });
    // Keep only the unpacked package: the lists and the .deb are 30 MiB of no further use.
    await rm(join(staging, 'lists'), { recursive: true, force: true });
    await rm(join(staging, 'deb'), { recursive: true, force: true });
    await rename(staging, CACHE_DIR).catch(async (e: unknown) => {
      if (!(await works(COSIGN_BIN))) throw e;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return COSIGN_BIN;
}

export interface CosignRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs cosign against the sandbox registry: the test CA through SSL_CERT_FILE (Go's
 * crypto/x509 reads it on Linux), an empty Docker config unless `dockerConfig` is given, no
 * network beyond loopback, `COSIGN_PASSWORD` from `password`.
 */
export async function runCosign(
  sb: Sandbox,
  args: string[],
  opts: { password?: string; dockerConfig?: string; cwd?: string } = {},
): Promise<CosignRun> {
  const home = join(sb.dir, 'cosign-home');
  await mkdir(home, { recursive: true });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    SSL_CERT_FILE: sb.caFile,
    DOCKER_CONFIG: opts.dockerConfig ?? home,
    // No sigstore TUF root may be fetched: everything here is key-based and offline.
    SIGSTORE_NO_CACHE: 'true',
    TUF_ROOT: join(home, 'tuf'),
  };
  if (opts.password !== undefined) env.COSIGN_PASSWORD = opts.password;
  return new Promise((resolve) => {
    const child = execFile(
      COSIGN_BIN,
      args,
      { env, cwd: opts.cwd ?? home, timeout: 120_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => undefined); // cosign may exit before its stdin closes
    child.stdin?.end();
  });
}

/** `cosign verify --key <pub> --insecure-ignore-tlog=true <image>`. */
export function cosignVerify(sb: Sandbox, pubKeyFile: string, image: string): Promise<CosignRun> {
  return runCosign(sb, ['verify', '--key', pubKeyFile, '--insecure-ignore-tlog=true', image]);
}
