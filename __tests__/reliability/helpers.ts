/** Shared set-up of the reliability suite: the sandbox, a fault proxy in front of notary,
 * an in-memory trust cache, and independent views of what the server holds. */
import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import { ImagesError, type ImageFailure } from '../../src/errors.js';
import { HttpClient } from '../../src/http/client.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { NotaryClient } from '../../src/notary/client.js';
import type { TrustStore } from '../../src/signer/types.js';
import type { TrustState } from '../../src/tuf/trust-cache.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { NotaryCli, type ListedTarget, type TrustedRepo } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf } from '../signer/flows.js';

export interface Bench {
  sb: Sandbox;
  proxy: FaultProxy;
  stop(): Promise<void>;
}

/** The real servers and a fault proxy in front of notary-server (same certificate). */
export async function startBench(): Promise<Bench> {
  const sb = await startSandbox();
  try {
    const proxy = await startFaultProxy({
      target: sb.notary.url,
      caPem: sb.caPem,
      certPem: await readFile(sb.certFile, 'utf8'),
      keyPem: await readFile(sb.keyFile, 'utf8'),
    });
    return {
      sb,
      proxy,
      stop: async () => {
        await proxy.close();
        await sb.stop();
      },
    };
  } catch (e) {
    await sb.stop();
    throw e;
  }
}

/** Empties the proxy's rules and log between tests. */
export function resetProxy(proxy: FaultProxy): void {
  proxy.rules.length = 0;
  proxy.log.length = 0;
}

/** The action cache between runs, in memory. */
export class MemoryTrustStore implements TrustStore {
  readonly states = new Map<string, TrustState>();

  load(gun: string): Promise<TrustState | undefined> {
    const s = this.states.get(gun);
    return Promise.resolve(s === undefined ? undefined : structuredClone(s));
  }

  save(state: TrustState): Promise<void> {
    this.states.set(state.gun, structuredClone(state));
    return Promise.resolve();
  }
}

/** A trust-server client of `gun`, straight to notary-server unless `server` is given. */
export async function withClient<T>(
  sb: Sandbox,
  gun: string,
  fn: (client: NotaryClient) => Promise<T>,
  server = sb.notary.url,
): Promise<T> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    return await fn(new NotaryClient({ server, gun, http }));
  } finally {
    await http.close();
  }
}

/** The current bytes of each role file the server has, by name (not through the proxy). */
export async function serverFiles(sb: Sandbox, gun: string): Promise<Map<string, Buffer>> {
  return withClient(sb, gun, async (client) => {
    const out = new Map<string, Buffer>();
    for (const role of ['root', 'timestamp', 'snapshot', 'targets']) {
      const bytes = await client.fetch(role);
      if (bytes !== undefined) out.set(role, bytes);
    }
    const targets = out.get('targets');
    const names = targets === undefined ? [] : delegationNames(targets);
    for (const role of names) {
      const bytes = await client.fetch(role);
      if (bytes !== undefined) out.set(role, bytes);
    }
    return out;
  });
}

function delegationNames(targets: Buffer): string[] {
  const parsed = JSON.parse(targets.toString('utf8')) as {
    signed: { delegations?: { roles?: { name: string }[] } };
  };
  return (parsed.signed.delegations?.roles ?? []).map((r) => r.name);
}

export function versionOf(bytes: Buffer): number {
  return (JSON.parse(bytes.toString('utf8')) as { signed: { version: number } }).signed.version;
}

/** Version of every role file on the server: what "nothing was published" compares. */
export async function serverVersions(sb: Sandbox, gun: string): Promise<Record<string, number>> {
  const files = await serverFiles(sb, gun);
  return Object.fromEntries([...files].map(([role, bytes]) => [role, versionOf(bytes)]));
}

/**
 * What `notary list -r <role>` shows as signed in `role` itself (not its delegations), from a
 * fresh trust dir: the independent judge. Sorted `name digest size` rows.
 */
export async function goList(sb: Sandbox, gun: string, role: string): Promise<string[]> {
  const rows = await new NotaryCli(sb).list(gun, role);
  return rows
    .filter((t: ListedTarget) => t.role === role)
    .map((t) => `${t.name} ${t.digest} ${t.size}`)
    .sort();
}

/** The error of a flow that must fail; fails the test when it resolves. */
export async function refusal(run: Promise<unknown>): Promise<ImageFailure[]> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the run should have failed').toBeInstanceOf(ImagesError);
  return (err as ImagesError).failures;
}

/** Every failure carries `code` and a message matching `message`. */
export function expectAll(failures: ImageFailure[], code: string, message: RegExp): void {
  expect(failures.length).toBeGreaterThan(0);
  for (const f of failures) {
    expect(f, f.message).toMatchObject({ code });
    expect(f.message).toMatch(message);
  }
}

/** Runs `fn` with the signing keys of one or more repositories, disposed afterwards. */
export async function withKeys<T>(
  repos: TrustedRepo[],
  fn: (keys: KeyRing) => Promise<T>,
): Promise<T> {
  const keys = keyRingOf(repos[0], repos.map((r) => r.keysPem).join(''));
  try {
    return await fn(keys);
  } finally {
    keys.dispose();
  }
}
