// The floor of a goal case: one action run is recorded (recorder.ts), its requests become a
// plan, and floor-program.mjs, a minimal Node program with nothing of the project, replays
// them with the least work (see its header), under /usr/bin/time like the action and the CLI.
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { TrustedRepo } from '../../__tests__/support/notary-cli.js';
import type { Sandbox } from '../../__tests__/support/servers.js';
import { checkActionRun, runAction, type ActionBenchOptions } from './action.js';
import { registryRequests, stagesOf, startRecorder, type RecordedRequest } from './recorder.js';
import { timed, type Sample } from './measure.js';

export const FLOOR_PROGRAM = join(dirname(fileURLToPath(import.meta.url)), 'floor-program.mjs');

/** The Accept header the action sends for a manifest (src/registry/client.ts). */
const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

let plans = 0;

/** Whether the server at `url` picks h2 in the TLS handshake (ALPN). */
function offersH2(url: string, ca: string): Promise<boolean> {
  const u = new URL(url);
  if (u.protocol !== 'https:') return Promise.resolve(false);
  return new Promise((resolve) => {
    const s = tlsConnect(
      { host: u.hostname, port: Number(u.port), ca, ALPNProtocols: ['h2', 'http/1.1'] },
      () => {
        resolve(s.alpnProtocol === 'h2');
        s.end();
      },
    );
    s.once('error', () => resolve(false));
  });
}

export interface FloorPlan {
  file: string;
  passphrase: string;
  /** What the recorded run asked: notary requests (POSTs among them), registry requests. */
  notary: number;
  posts: number;
  registry: number;
  stages: number;
}

export interface FloorDone {
  requests: number;
  bytes: number;
  metadata: number;
  verified: number;
  signed: number;
  posts: number[];
  /** Whether the registry's requests went over HTTP/2. */
  h2: boolean;
}

/**
 * Runs the action once with `trust-server` through the recorder and writes the floor's plan
 * (requests, bodies, the signing key of `repo`) into `work`.
 */
export async function recordFloorPlan(
  sb: Sandbox,
  what: string,
  inputs: Record<string, string>,
  output: 'signed' | 'verified',
  tags: number,
  repo: TrustedRepo,
  opts: ActionBenchOptions,
): Promise<FloorPlan> {
  const [certPem, keyPem] = await Promise.all(
    [sb.certFile, sb.keyFile].map((f) => readFile(f, 'utf8')),
  );
  const rec = await startRecorder({ target: sb.notary.url, caPem: sb.caPem, certPem, keyPem });
  const from = statSync(sb.registry.log).size;
  try {
    const r = await runAction({ ...inputs, 'trust-server': rec.url }, opts);
    checkActionRun(`${what}, recorded`, r, output, tags);
  } finally {
    await rec.close();
  }
  // The registry writes its line after answering: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const registry = (await registryRequests(sb.registry.log, from)).filter((x) =>
    x.path.includes('/manifests/'),
  );
  const stamp = `${Date.now()}-${++plans}`;
  let bodies = 0;
  const stages: { method: string; path: string; bodyFile?: string; contentType?: string }[][] = [];
  for (const st of stagesOf(rec.log)) {
    if (process.env['DCT_BENCH_STAGES']) {
      const t = (x: RecordedRequest) =>
        `${x.method} ${x.path} ${x.start.toFixed(0)}–${x.end.toFixed(0)} ms`;
      process.stderr.write(`  stage: ${st.map(t).join(' | ')}\n`);
    }
    const stage = [];
    for (const x of st) {
      let bodyFile: string | undefined;
      if (x.body) {
        // A file of its own: the program reads the bytes as the action holds them, not
        // decoded out of the plan's JSON.
        bodyFile = join(opts.baseDir, `floor-body-${stamp}-${++bodies}`);
        await writeFile(bodyFile, x.body, { mode: 0o600 });
      }
      stage.push({
        method: x.method,
        path: x.path,
        ...(bodyFile ? { bodyFile, contentType: x.contentType } : {}),
      });
    }
    stages.push(stage);
  }
  const posts = rec.log.filter((x) => x.method === 'POST').length;
  // The signer's key (the one the action signs delegations with), or any key of the repository.
  const key =
    (repo.signerKeyId === undefined ? undefined : repo.keyFiles[`${repo.signerKeyId}.key`]) ??
    Object.values(repo.keyFiles)[0];
  const file = join(opts.baseDir, `floor-plan-${stamp}.json`);
  await writeFile(
    file,
    JSON.stringify({
      notaryUrl: sb.notary.url,
      registryUrl: sb.registry.url,
      ca: sb.caPem,
      manifestAccept: MANIFEST_ACCEPT,
      registryH2: await offersH2(sb.registry.url, sb.caPem),
      // PEM headers (role:, gun:) are notary's; OpenSSL's PKCS#8 reader takes none.
      key: key.replace(/^[a-z]+: .*\n/gm, ''),
      stages,
      registry,
    }),
    { mode: 0o600 },
  );
  return {
    file,
    passphrase: repo.passphrase,
    notary: rec.log.length,
    posts,
    registry: registry.length,
    stages: stages.length,
  };
}

/** One run of the floor program on `node`; throws unless it made every planned request. */
export async function runFloor(
  node: string,
  plan: FloorPlan,
  baseDir: string,
): Promise<Sample & { done: FloorDone }> {
  const s = await timed(node, [FLOOR_PROGRAM, plan.file], {
    env: { FLOOR_PASSPHRASE: plan.passphrase },
    cwd: baseDir,
    scratchDir: baseDir,
  });
  if (s.code !== 0)
    throw new Error(`floor program exited ${s.code}: ${s.stderr.trim().slice(-600)}`);
  const done = JSON.parse(s.stdout.trim().split('\n').pop() ?? '{}') as FloorDone;
  const want = plan.notary + plan.registry;
  if (done.requests !== want || done.signed !== plan.posts || done.verified === 0) {
    throw new Error(
      `floor program: ${done.requests}/${want} requests, ${done.signed}/${plan.posts} signatures, ${done.verified} verified`,
    );
  }
  return { ...s, done };
}
