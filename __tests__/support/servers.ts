// Starts the real Debian notary-server and docker-registry on loopback with a throwaway CA,
// for the integration tests, the sandbox script and the benchmark alike.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chmod, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTokenService, type TokenService } from './token-service.js';

const run = promisify(execFile);

export const NOTARY_SERVER_BIN = '/usr/bin/notary-server';
export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const NOTARY_BIN = '/usr/bin/notary';
/** The `service` (token audience) each server announces in its challenge. */
export const NOTARY_SERVICE = 'notary-server';
export const REGISTRY_SERVICE = 'docker-registry';
export const DEFAULT_USERS: Readonly<Record<string, string>> = { 'dct-user': 'dct-password' };

export interface Sandbox {
  /** Private temp dir (mode 0700) with CA, certs, configs, logs. */
  dir: string;
  /** The throwaway CA certificate (PEM). */
  caPem: string;
  /** Path of the CA PEM. */
  caFile: string;
  /** The certificate and key (PEM files) both servers present, for a proxy in front. */
  certFile: string;
  keyFile: string;
  /** `https://127.0.0.1:PORT` (`http://` with `registryPlainHttp`) and `127.0.0.1:PORT`. */
  registry: { url: string; host: string; log: string };
  notary: { url: string; log: string };
  /** Present when auth was asked for. */
  token?: TokenService;
  /** Idempotent; kills the servers and removes `dir`. */
  stop(): Promise<void>;
}

export interface SandboxOptions {
  /** notary-server with `auth.type: token` against the token service. */
  notaryAuth?: boolean;
  /** docker-registry with token auth against the same token service. */
  registryAuth?: boolean;
  /** username -> password accepted by the token service (default DEFAULT_USERS). */
  users?: Record<string, string>;
  /** Bound on each server's start-up wait (default 30 s). */
  startTimeoutMs?: number;
  /** docker-registry without TLS, as a workflow's `services: registry:2` runs it. */
  registryPlainHttp?: boolean;
}

/** Installs notary and docker-registry with apt-get when a binary is missing. */
export async function ensurePackages(): Promise<void> {
  const wanted: [string, string][] = [
    [NOTARY_BIN, 'notary'],
    [NOTARY_SERVER_BIN, 'notary'],
    [REGISTRY_BIN, 'docker-registry'],
    ['/usr/bin/openssl', 'openssl'],
  ];
  const missing = [...new Set(wanted.filter(([bin]) => !existsSync(bin)).map(([, p]) => p))];
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, maxBuffer: 64 << 20 });
  await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env,
    maxBuffer: 64 << 20,
  });
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'dct-sandbox-'));
  await chmod(dir, 0o700);
  const children: Omit<Child, 'port'>[] = [];
  let token: TokenService | undefined;
  let stopping: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(children.map((c) => c.stop()));
      await token?.stop();
      await rm(dir, { recursive: true, force: true });
      live.delete(cleanupSync);
    })();
    return stopping;
  };
  // Last resort when the process exits or is interrupted without calling stop().
  const cleanupSync = (): void => {
    for (const c of children) c.killSync();
    rmSync(dir, { recursive: true, force: true });
  };
  live.add(cleanupSync);
  installExitHandlers();

  try {
    const pki = await makePki(dir);
    const timeout = opts.startTimeoutMs ?? 30_000;
    if (opts.notaryAuth || opts.registryAuth) {
      token = await startTokenService({
        tlsCert: pki.serverCert,
        tlsKey: pki.serverKey,
        signingKeyFile: pki.tokenKeyFile,
        signingCertFile: pki.tokenCertFile,
        users: { ...(opts.users ?? DEFAULT_USERS) },
      });
    }
    const auth = (service: string): TokenAuth | undefined =>
      token && {
        realm: token.url,
        service,
        issuer: token.issuer,
        rootcertbundle: token.certFile,
      };

    const registryScheme = opts.registryPlainHttp ? 'http' : 'https';
    // The two servers start side by side: each waits on its own port, neither on the other.
    const startRegistry = startWithRetry(async (port) => {
      const cfg = join(dir, 'registry.yml');
      await writeFile(
        cfg,
        registryConfig(
          dir,
          port,
          opts.registryPlainHttp ? undefined : pki,
          opts.registryAuth ? auth(REGISTRY_SERVICE) : undefined,
        ),
      );
      const child = await spawnServer(dir, 'registry', REGISTRY_BIN, ['serve', cfg]);
      children.push(child);
      await waitHttp(`${registryScheme}://127.0.0.1:${port}/v2/`, pki.caPem, child, timeout);
      return child;
    });
    const startNotary = startWithRetry(async (port) => {
      const cfg = join(dir, 'notary-server.json');
      await writeFile(
        cfg,
        notaryConfig(port, pki, opts.notaryAuth ? auth(NOTARY_SERVICE) : undefined),
      );
      const child = await spawnServer(dir, 'notary-server', NOTARY_SERVER_BIN, [
        '-config',
        cfg,
        '-logf',
        'logfmt',
      ]);
      children.push(child);
      await waitHttp(`https://127.0.0.1:${port}/_notary_server/health`, pki.caPem, child, timeout);
      return child;
    });
    // Both settle before either result is used, so a failure never leaves one still starting.
    const [registryStarted, notaryStarted] = await Promise.allSettled([startRegistry, startNotary]);
    if (registryStarted.status === 'rejected') throw registryStarted.reason;
    if (notaryStarted.status === 'rejected') throw notaryStarted.reason;
    const registry = registryStarted.value;
    const notary = notaryStarted.value;

    const sb: Sandbox = {
      dir,
      caPem: pki.caPem,
      caFile: pki.caFile,
      certFile: pki.serverCertFile,
      keyFile: pki.serverKeyFile,
      registry: {
        url: `${registryScheme}://127.0.0.1:${registry.port}`,
        host: `127.0.0.1:${registry.port}`,
        log: registry.log,
      },
      notary: { url: `https://127.0.0.1:${notary.port}`, log: notary.log },
      stop,
    };
    if (token) sb.token = token;
    return sb;
  } catch (e) {
    await stop();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------
// Certificates

interface Pki {
  caPem: string;
  caFile: string;
  serverCert: string;
  serverKey: string;
  serverCertFile: string;
  serverKeyFile: string;
  tokenKeyFile: string;
  tokenCertFile: string;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (e) {
    const err = e as { stderr?: string };
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.trim() ?? String(e)}`);
  }
}

/** A throwaway CA, a server certificate for 127.0.0.1, ::1 and localhost, a token key. */
async function makePki(dir: string): Promise<Pki> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(dir, [
    'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '7',
    '-subj', '/CN=dct throwaway test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]); // prettier-ignore
  // The token signing key: its self-signed certificate is the servers' `rootcertbundle`.
  // It does not depend on the CA, so it is made while the server certificate is.
  const tokenCert = openssl(dir, [
    'req', '-x509', ...ec, '-keyout', 'token.key', '-out', 'token.pem', '-days', '7',
    '-subj', '/CN=dct test token signer',
  ]); // prettier-ignore
  // Handled at once so a failure here is not reported as unhandled; awaited below.
  tokenCert.catch(() => undefined);
  await openssl(dir, [
    'req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr',
    '-subj', '/CN=localhost',
  ]); // prettier-ignore
  await writeFile(
    join(dir, 'server.ext'),
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' +
      'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n',
  );
  await openssl(dir, [
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-days', '7', '-extfile', 'server.ext', '-out', 'server.pem',
  ]); // prettier-ignore
  await tokenCert;
  for (const k of ['ca.key', 'server.key', 'token.key']) await chmod(join(dir, k), 0o600);
  return {
    caPem: await readFile(join(dir, 'ca.pem'), 'utf8'),
    caFile: join(dir, 'ca.pem'),
    serverCert: await readFile(join(dir, 'server.pem'), 'utf8'),
    serverKey: await readFile(join(dir, 'server.key'), 'utf8'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    tokenKeyFile: join(dir, 'token.key'),
    tokenCertFile: join(dir, 'token.pem'),
  };
}

// ---------------------------------------------------------------------------------------
// Configs

interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

/** distribution 2.8 configuration (YAML; JSON strings are valid YAML scalars). No `pki`: no TLS. */
function registryConfig(dir: string, port: number, pki?: Pki, auth?: TokenAuth): string {
  const q = (s: string): string => JSON.stringify(s);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(join(dir, 'registry-data'))}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${q(`127.0.0.1:${port}`)}`,
    `  secret: ${q(Math.random().toString(36).slice(2))}`,
  ];
  if (pki) {
    lines.push(
      '  tls:',
      `    certificate: ${q(pki.serverCertFile)}`,
      `    key: ${q(pki.serverKeyFile)}`,
    );
  }
  if (auth) {
    lines.push('auth:', '  token:');
    for (const [k, v] of Object.entries(auth) as [string, string][])
      lines.push(`    ${k}: ${q(v)}`);
  }
  return lines.join('\n') + '\n';
}

/** notary-server config (cmd/notary-server/config.go): memory storage, local signer. */
function notaryConfig(port: number, pki: Pki, auth?: TokenAuth): string {
  const cfg: Record<string, unknown> = {
    server: {
      http_addr: `127.0.0.1:${port}`,
      tls_cert_file: pki.serverCertFile,
      tls_key_file: pki.serverKeyFile,
    },
    trust_service: { type: 'local' },
    storage: { backend: 'memory' },
    logging: { level: 'info' },
  };
  if (auth) cfg.auth = { type: 'token', options: auth };
  return JSON.stringify(cfg, null, 2) + '\n';
}

// ---------------------------------------------------------------------------------------
// Processes

interface Child {
  port: number;
  log: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
  killSync(): void;
}

/**
 * The server runs under a small `sh` watchdog that holds our pipe on its stdin: when this
 * process dies, even by SIGKILL, the pipe closes and the watchdog kills the server.
 */
const WATCHDOG =
  'trap "" INT; "$@" </dev/null & c=$!; echo $c > "$PIDFILE"; ' +
  'cat >/dev/null; kill $c 2>/dev/null; wait $c';

async function spawnServer(
  dir: string,
  name: string,
  bin: string,
  args: string[],
): Promise<Omit<Child, 'port'>> {
  const log = join(dir, `${name}.log`);
  const pidFile = join(dir, `${name}.pid`);
  const fh = await open(log, 'a');
  const proc = spawn('sh', ['-c', WATCHDOG, 'sh', bin, ...args], {
    cwd: dir,
    stdio: ['pipe', fh.fd, fh.fd],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PIDFILE: pidFile },
  });
  await fh.close();
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.once('error', () => resolve(-1));
  });
  const serverPid = (): number | undefined => {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const killSync = (): void => {
    const pid = serverPid();
    if (pid !== undefined && proc.exitCode === null) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    proc.kill('SIGKILL');
  };
  let stopped: Promise<void> | undefined;
  return {
    log,
    proc,
    exited,
    killSync,
    stop: () => {
      stopped ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.stdin?.end();
          const timer = setTimeout(killSync, 5_000);
          await exited;
          clearTimeout(timer);
        }
      })();
      return stopped;
    },
  };
}

/** A free loopback port (another process may take it before us; callers retry). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startWithRetry(
  start: (port: number) => Promise<Omit<Child, 'port'>>,
): Promise<Child> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return { ...(await start(port)), port };
    } catch (e) {
      lastError = e;
      // Only a lost port race is worth another try.
      if (!(e instanceof StartError) || !/address already in use/i.test(e.logTail)) throw e;
    }
  }
  throw lastError;
}

class StartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- last log lines ---\n${logTail}`);
  }
}

async function tail(file: string, lines = 30): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url` until it answers any HTTP status, the child exits, or time runs out. */
async function waitHttp(
  url: string,
  ca: string,
  child: Omit<Child, 'port'>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((c) => (exitCode = c));
  for (;;) {
    const status = await probe(url, ca);
    if (status !== undefined) return;
    if (exitCode !== undefined) {
      throw new StartError(`${url}: server exited with ${exitCode}`, await tail(child.log));
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new StartError(`${url}: no answer within ${timeoutMs} ms`, await tail(child.log));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function probe(url: string, ca: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const send = url.startsWith('http:') ? httpRequest : request;
    const req = send(url, { ca, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

// ---------------------------------------------------------------------------------------
// Exit handling: children die with the test process.

const live = new Set<() => void>();
let handlersInstalled = false;

function cleanupAll(): void {
  for (const f of live) {
    try {
      f();
    } catch {
      // best effort while exiting
    }
  }
  live.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = (): void => {
      cleanupAll();
      process.off(sig, onSignal);
      // Re-raise so the default action (or another handler) still runs.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}
