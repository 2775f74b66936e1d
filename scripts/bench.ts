// `npm run bench`: the bundled action's main step (and, in cases 8 and 9, `dct`) against the Go
// notary CLI (for cases 7 and 8, docker 28's `docker trust signer add`) doing the same work, on
// the same local servers, in alternating runs, on Node 24 (what action.yml declares) and on the
// machine's Node in the same run; in the goal cases (1, 3, 4, 5) also the floor, a minimal Node
// program making the same requests as a recorded action run (scripts/bench/floor.ts), measured
// beside every run. Prints a table per runtime, issue 16's goals met or not (with the floor), the
// README's table in Markdown, and writes bench-results.json (and CPU profiles) to a temp dir it
// names. Options (after `--`):
//   --node 24,current      the runtimes, in order: `24`, `current` or a path (default both)
//   --cases 1,6            only these cases        --quick   fewer runs, to try things
//   --startup-only         only the start-up figures (no servers): bundle size, time, RSS
//   --profile [all]        CPU-profile the action in the cases that miss a goal (or all)
//   --entry <index.js>     another build of dist/main/index.js, to measure a fix
//   --out <dir>            where the results go
// DCT_BENCH_STAGES=1 prints each recorded trust-server request of the goal cases, grouped by
// stage, with its start and end (ms since the recorder started).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fetchManifest, pushImage, type PushedImage } from '../__tests__/support/images.js';
import { ensureCosign } from '../__tests__/support/cosign.js';
import { writeCosignKeyPair } from '../src/cosign/key.js';
import { signatureTag } from '../src/cosign/image.js';
import { KeyRing } from '../src/keys/keyring.js';
import { readKeySecret } from '../src/keys/secret.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../__tests__/support/notary-cli.js';
import { node24, REPO_ROOT } from '../__tests__/support/runner.js';
import { ensurePackages, startSandbox, type Sandbox } from '../__tests__/support/servers.js';
import { checkActionRun, MAIN_ENTRY, runAction } from './bench/action.js';
import { cliList, cliSign, dockerSignerAdd, type CliTag } from './bench/cli.js';
import { CLI_ENTRY, dct, dockerConfig, dockerTrust } from './bench/dct.js';
import { makeKey, PASS, pubFile, ROOT_PASS } from '../__tests__/signer/admin-helpers.js';
import { recordFloorPlan, runFloor, type FloorPlan } from './bench/floor.js';
import { ensureTime, mapLimit, median, type Sample } from './bench/measure.js';
import { bundleComposition, formatProfile, summarizeProfile } from './bench/profile.js';
import {
  cpuRows,
  goalRows,
  issueGoals,
  markdownTable,
  mib,
  otherChecks,
  resultRows,
  sec,
  startupRows,
  textTable,
  type CaseResult,
  type Runtime,
  type Side,
} from './bench/report.js';
import { measureStartup, type Startup } from './bench/startup.js';
import { seedTargets } from './bench/seed.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const quick = args.includes('--quick');
const startupOnly = args.includes('--startup-only');
const profileMode = args.includes('--profile')
  ? opt('--profile') === 'all'
    ? 'all'
    : 'missed'
  : 'off';
const onlyCases = opt('--cases')
  ?.split(',')
  .map((s) => Number(s.trim()));
/** Runs per runtime (the CLI runs beside each). */
const SMALL_RUNS = quick ? 2 : 7;
const BIG_RUNS = quick ? 1 : 5;
const STARTUP_RUNS = quick ? 3 : 9;
const BIG_REPO_TAGS = 10_000;
const ENTRY = resolve(opt('--entry') ?? MAIN_ENTRY);

let sb: Sandbox | undefined;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: stopping the servers`);
    void (sb?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

const t0 = Date.now();
const elapsed = (): string => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (m: string): void => console.log(`[${elapsed()}] ${m}`);

interface RunPlan {
  /** The action's inputs, or (cases 8 and 9) a `dct` command on a Node that throws when it fails. */
  action: Record<string, string> | ((node: string) => Promise<Sample>);
  cli: () => Promise<Sample>;
  /** Tags both sides must have signed by the end (checked with `notary list`). */
  expected: { gun: string; tag: string }[];
  /** Tags (of bench/dual) whose digests both sides must have cosign-signed. */
  cosignTags?: string[];
  /** Repositories where both sides must have made `targets/ci` (`notary delegation list`). */
  delegated?: string[];
}

interface BenchCase {
  id: number;
  title: string;
  runs: number;
  output: 'signed' | 'verified' | 'none';
  /** Tags the action must report per run. */
  tags: number;
  note?: string;
  /**
   * Goal cases: the repository whose signing key the floor program decrypts and signs with.
   * The floor (a minimal Node program making the same requests, scripts/bench/floor.ts) is
   * recorded from one extra action run and measured beside every run.
   */
  floorRepo?: string;
  /** Prepares run `i` (pushes its images, fresh names per run): the action's inputs and the CLI's job. */
  prepare(i: number): Promise<RunPlan>;
}

function side(samples: Sample[]): Side {
  const wallMs = samples.map((s) => Math.round(s.wallMs * 10) / 10);
  const rssKiB = samples.map((s) => s.rssKiB);
  return {
    wallMs,
    rssKiB,
    medianMs: median(wallMs),
    peakRssKiB: Math.max(...rssKiB),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
  };
}

/** `--node 24,current`: each once (the machine's Node may be 24 already), in that order. */
async function runtimesFrom(arg: string): Promise<Runtime[]> {
  const out: Runtime[] = [];
  for (const want of arg.split(',').map((x) => x.trim())) {
    if (want === '') continue;
    const path =
      want === '24' ? await node24() : want === 'current' ? process.execPath : resolve(want);
    const version = execFileSync(path, ['--version']).toString().trim();
    const label = `Node ${version.replace(/^v/, '').split('.')[0]}`;
    if (!out.some((r) => r.label === label)) out.push({ label, path, version });
  }
  if (out.length === 0) throw new Error(`--node ${arg}: no runtime`);
  return out;
}

/** Both sides really published: a fresh `notary list` of each repository shows every tag. */
async function checkListed(sb: Sandbox, expected: { gun: string; tag: string }[]): Promise<void> {
  for (const gun of new Set(expected.map((e) => e.gun))) {
    const listed = new Set((await new NotaryCli(sb).list(gun)).map((t) => t.name));
    const missing = expected.filter((e) => e.gun === gun && !listed.has(e.tag));
    if (missing.length > 0) {
      throw new Error(`${gun}: notary lists no ${missing.map((m) => m.tag).join(', ')}`);
    }
  }
}

/** Both sides really cosign-signed: each tag's digest has its `.sig` image. */
async function checkCosigned(sb: Sandbox, tags: string[], path: string): Promise<void> {
  for (const tag of tags) {
    const { digest } = await fetchManifest(sb, path, tag);
    await fetchManifest(sb, path, signatureTag(digest)); // throws when there is none
  }
}

async function main(): Promise<number> {
  if (ENTRY === MAIN_ENTRY && !existsSync(MAIN_ENTRY)) {
    log('building dist (npm run build)');
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  await ensureTime();
  const runtimes = await runtimesFrom(opt('--node') ?? '24,current');
  /** The Node that prepares (signs the tags cases 4 and 9 read) and is profiled. */
  const node = runtimes[0].path;
  // Debian's build prints an empty `Version:`; the package knows.
  const notaryVersion = startupOnly
    ? ''
    : execFileSync('dpkg-query', ['-W', '-f=${Version}', 'notary']).toString().trim();
  const outDir = opt('--out') ?? (await mkdtemp(join(tmpdir(), 'dct-bench-')));
  await mkdir(outDir, { recursive: true });
  const load0 = loadavg();
  for (const rt of runtimes) log(`${rt.label}: ${rt.version} (${rt.path})`);
  if (!startupOnly) log(`notary CLI ${notaryVersion || '?'}`);
  log(`${cpus().length} CPUs, load average ${load0.map((x) => x.toFixed(2)).join(' ')}`);
  // Run a private copy: a concurrent `npm run build` must not swap the bundle mid-bench. It
  // lives in outDir so that the saved profiles can still be mapped to src/ afterwards.
  const entryCopy = join(outDir, 'entry');
  await cp(dirname(ENTRY), entryCopy, { recursive: true });
  const entry = join(entryCopy, basename(ENTRY));
  // The post bundle beside it (dist/post for dist/main), when there is one.
  const postDir = join(dirname(dirname(ENTRY)), 'post');
  let postEntry: string | undefined;
  if (existsSync(join(postDir, 'index.js'))) {
    await cp(postDir, join(outDir, 'post'), { recursive: true });
    postEntry = join(outDir, 'post', 'index.js');
  }
  if (ENTRY !== MAIN_ENTRY) log(`action entry: ${ENTRY}`);

  // --- start-up, no work -------------------------------------------------------------
  const composition = existsSync(`${entry}.map`) ? bundleComposition(`${entry}.map`) : [];
  const startupWork = join(outDir, 'startup');
  await mkdir(startupWork, { recursive: true });
  const startups = new Map<string, Startup>();
  for (const rt of runtimes) {
    const st = await measureStartup(rt.path, entry, STARTUP_RUNS, startupWork, postEntry);
    startups.set(rt.label, st);
    log(
      `start-up on ${rt.label}: node -e '' ${sec(st.bareNode.medianMs)}, action with no work ${sec(st.actionNoWork.medianMs)} (${mib(st.actionNoWork.medianRssKiB)})`,
    );
  }
  await rm(startupWork, { recursive: true, force: true });
  const entryBytes = startups.get(runtimes[0].label)!.entryBytes;
  const printStartup = (): void => {
    console.log(
      `\n${basename(dirname(ENTRY))}/${basename(ENTRY)}: ${(entryBytes / 1024).toFixed(0)} KiB; largest parts (source bytes): ${composition
        .slice(0, 6)
        .map((c) => `${c.where} ${(c.bytes / 1024).toFixed(0)} KiB`)
        .join(', ')}`,
    );
    const postBytes = startups.get(runtimes[0].label)!.postBytes;
    if (postBytes !== undefined) console.log(`post/index.js: ${(postBytes / 1024).toFixed(0)} KiB`);
    console.log(
      `${textTable(startupRows(runtimes, startups))}\n(medians of ${STARTUP_RUNS} runs; RSS: median peak resident set)`,
    );
  };
  if (startupOnly) {
    printStartup();
    return 0;
  }

  await ensurePackages();
  sb = await startSandbox();
  const s = sb;
  const work = join(s.dir, 'bench');
  await mkdir(work, { recursive: true });
  log(`servers up: registry ${s.registry.url}, notary ${s.notary.url}`);
  const cliCopy = join(outDir, 'cli');
  await cp(dirname(CLI_ENTRY), cliCopy, { recursive: true });
  const cliEntry = join(cliCopy, 'index.js');

  // --- repositories ------------------------------------------------------------------
  const gunOf = (path: string): string => `${s.registry.host}/${path}`;
  const wanted = (id: number): boolean => onlyCases === undefined || onlyCases.includes(id);
  const repoPaths: Record<string, number> = {
    'bench/one': 1,
    'bench/hundred': 2,
    'bench/multi-0': 3,
    'bench/multi-1': 3,
    'bench/multi-2': 3,
    'bench/multi-3': 3,
    'bench/verify': 4,
    'bench/big': 5,
    'bench/dual': 6,
  };
  const paths = Object.keys(repoPaths).filter((p) => wanted(repoPaths[p]));
  log(`creating ${paths.length} trusted repositories with the notary CLI`);
  const repos = new Map<string, TrustedRepo>();
  await mapLimit(paths, 2, async (p) => {
    repos.set(p, await createTrustedRepo(s, gunOf(p), { signer: 'ci' }));
  });
  const repo = (p: string): TrustedRepo => repos.get(p)!;

  const push = async (path: string, tags: string[], seed: string): Promise<PushedImage> => {
    const first = await pushImage(s, path, tags[0], { seed });
    await mapLimit(tags.slice(1), 6, (t) => pushImage(s, path, t, { seed }));
    return first;
  };
  const common = {
    'trust-server': s.notary.url,
    'ca-cert': s.caPem,
    cache: 'true',
  };
  const signInputs = (rs: TrustedRepo[], images: string[]): Record<string, string> => ({
    ...common,
    command: 'sign',
    images: images.join('\n'),
    keys: rs.map((r) => r.keysPem).join(''),
    passphrase: rs[0].passphrase,
  });
  const names = (prefix: string, n: number): string[] =>
    Array.from({ length: n }, (_, j) => `${prefix}-${String(j).padStart(3, '0')}`);
  /** The CLI signs the same number of fresh tags, all with one pushed image's digest. */
  const cliTags = async (path: string, tags: string[], seed: string): Promise<CliTag[]> => {
    const img = await push(path, [tags[0]], seed);
    return tags.map((tag) => ({ gun: gunOf(path), tag, digest: img.digest, size: img.size }));
  };

  const cases: BenchCase[] = [];
  cases.push({
    id: 1,
    title: 'one tag, cold',
    runs: SMALL_RUNS,
    output: 'signed',
    tags: 1,
    floorRepo: 'bench/one',
    prepare: async (i) => {
      const p = 'bench/one';
      await push(p, [`a${i}`], `one-a${i}`);
      const ct = await cliTags(p, [`c${i}`], `one-c${i}`);
      return {
        action: signInputs([repo(p)], [`${gunOf(p)}:a${i}`]),
        cli: () => cliSign(s, work, [repo(p)], ct),
        expected: [{ gun: gunOf(p), tag: `a${i}` }, ...ct],
      };
    },
  });
  cases.push({
    id: 2,
    title: '100 tags, 1 repository',
    runs: BIG_RUNS,
    output: 'signed',
    tags: 100,
    prepare: async (i) => {
      const p = 'bench/hundred';
      const tags = names(`a${i}`, 100);
      await push(p, tags, `hundred-a${i}`);
      const ct = await cliTags(p, names(`c${i}`, 100), `hundred-c${i}`);
      return {
        action: signInputs(
          [repo(p)],
          tags.map((t) => `${gunOf(p)}:${t}`),
        ),
        cli: () => cliSign(s, work, [repo(p)], ct),
        expected: [...tags.map((tag) => ({ gun: gunOf(p), tag })), ...ct],
      };
    },
  });
  cases.push({
    id: 3,
    title: '4 repositories x 25 tags',
    runs: BIG_RUNS,
    output: 'signed',
    tags: 100,
    floorRepo: 'bench/multi-0',
    prepare: async (i) => {
      const ps = [0, 1, 2, 3].map((k) => `bench/multi-${k}`);
      const images: string[] = [];
      const ct: CliTag[] = [];
      const expected: { gun: string; tag: string }[] = [];
      for (const p of ps) {
        const tags = names(`a${i}`, 25);
        await push(p, tags, `${p}-a${i}`);
        images.push(...tags.map((t) => `${gunOf(p)}:${t}`));
        expected.push(...tags.map((tag) => ({ gun: gunOf(p), tag })));
        ct.push(...(await cliTags(p, names(`c${i}`, 25), `${p}-c${i}`)));
      }
      const rs = ps.map(repo);
      return {
        action: signInputs(rs, images),
        cli: () => cliSign(s, work, rs, ct),
        expected: [...expected, ...ct],
      };
    },
  });
  if (wanted(4)) {
    // 100 signed tags to verify, signed once by the action itself.
    const p = 'bench/verify';
    const tags = names('v', 100);
    await push(p, tags, 'verify');
    const images = tags.map((t) => `${gunOf(p)}:${t}`);
    const r = await runAction(signInputs([repo(p)], images), { node, baseDir: work, entry });
    checkActionRun('signing the tags to verify', r, 'signed', 100);
    cases.push({
      id: 4,
      title: 'verify 100 tags',
      runs: BIG_RUNS,
      output: 'verified',
      tags: 100,
      floorRepo: p,
      note: 'the action also checks each tag digest in the registry; the CLI only lists',
      prepare: () =>
        Promise.resolve({
          action: { ...common, command: 'verify', images: images.join('\n') },
          cli: () => cliList(s, work, gunOf(p)),
          expected: tags.map((tag) => ({ gun: gunOf(p), tag })),
        }),
    });
  }
  if (wanted(5)) {
    const p = 'bench/big';
    log(`seeding ${BIG_REPO_TAGS} targets into ${p} (targets/releases and targets/ci)`);
    await seedTargets(s, repo(p), BIG_REPO_TAGS);
    cases.push({
      id: 5,
      title: `1 tag into ${BIG_REPO_TAGS} signed`,
      runs: BIG_RUNS,
      output: 'signed',
      tags: 1,
      floorRepo: p,
      prepare: async (i) => {
        await push(p, [`a${i}`], `big-a${i}`);
        const ct = await cliTags(p, [`c${i}`], `big-c${i}`);
        return {
          action: signInputs([repo(p)], [`${gunOf(p)}:a${i}`]),
          cli: () => cliSign(s, work, [repo(p)], ct),
          expected: [{ gun: gunOf(p), tag: `a${i}` }, ...ct],
        };
      },
    });
  }

  if (wanted(6)) {
    // Dual signing: DCT and cosign, 25 tags of 25 images. The CLI side is the notary CLI
    // (addhash, publish) then the real cosign signing the 25 digests with the same key,
    // exported in cosign's format.
    const p = 'bench/dual';
    const bin = await ensureCosign();
    const keyDir = await mkdtemp(join(work, 'cosign-key-'));
    const { files } = readKeySecret(repo(p).keysPem, () => undefined);
    const ring = KeyRing.open(files, { passphrase: repo(p).passphrase, include: 'signing' });
    const signer = ring.held().find((h) => h.id === repo(p).signerKeyId)!;
    const cosignCli = {
      bin,
      keyFile: (await writeCosignKeyPair(keyDir, 'ci', signer.key, 'bench')).privateKey,
      password: 'bench',
    };
    ring.dispose();
    const pushEach = async (tags: string[], seed: string): Promise<PushedImage[]> =>
      mapLimit(tags, 6, (t) => pushImage(s, p, t, { seed: `${seed}-${t}` }));
    cases.push({
      id: 6,
      title: 'dual-sign 25 tags (DCT + cosign)',
      runs: BIG_RUNS,
      output: 'signed',
      tags: 25,
      note: 'each tag its own image: 25 digests get a cosign signature on each side',
      prepare: async (i) => {
        const tags = names(`a${i}`, 25);
        await pushEach(tags, `dual-a${i}`);
        const ctags = names(`c${i}`, 25);
        const pushed = await pushEach(ctags, `dual-c${i}`);
        const ct = ctags.map((tag, k) => ({
          gun: gunOf(p),
          tag,
          digest: pushed[k].digest,
          size: pushed[k].size,
        }));
        return {
          action: {
            ...signInputs(
              [repo(p)],
              tags.map((t) => `${gunOf(p)}:${t}`),
            ),
            cosign: 'true',
          },
          cli: () => cliSign(s, work, [repo(p)], ct, cosignCli),
          expected: [...tags.map((tag) => ({ gun: gunOf(p), tag })), ...ct],
          cosignTags: [...tags, ...ctags],
        };
      },
    });
  }
  cases.push({
    id: 7,
    title: 'signer add, new repository',
    runs: SMALL_RUNS,
    output: 'none',
    tags: 0,
    note: 'both create the repository (root v1 with a new certificate, targets with targets/ci and targets/releases) and add the signer in one publish; the CLI is `docker trust signer add`',
    prepare: (i) => {
      const [a, c] = [gunOf(`bench/new-a${i}`), gunOf(`bench/new-c${i}`)];
      const [root, repoKey, ci] = [makeKey('root'), makeKey('targets', a), makeKey('ci')];
      const cliRoot = makeKey('root');
      return Promise.resolve({
        action: {
          ...common,
          command: 'signer-add',
          images: a,
          signer: 'ci',
          'signer-keys': pubFile(ci),
          keys: root.pem + repoKey.pem,
          passphrase: PASS,
          'root-passphrase': ROOT_PASS,
        },
        cli: () =>
          dockerSignerAdd(s, work, c, cliRoot, pubFile(ci), { root: ROOT_PASS, repository: PASS }),
        expected: [],
        delegated: [a, c],
      });
    },
  });

  // Cases 8 and 9: the `dct` command line against docker 28's `docker trust`, each from a
  // fresh Docker config (no trusted root cached: both trust on first use).
  const dctPass = {
    DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: ROOT_PASS,
    DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: PASS,
  };
  cases.push({
    id: 8,
    title: 'dct signer add, new repository',
    runs: SMALL_RUNS,
    output: 'none',
    tags: 0,
    note: 'both create the repository (root key reused, repository key generated, snapshot with the server) and add the signer in one publish; the CLI is `docker trust signer add`',
    prepare: async (i) => {
      const [a, c] = [gunOf(`bench/dct-new-a${i}`), gunOf(`bench/dct-new-c${i}`)];
      const ci = makeKey('ci');
      const ours = await dockerConfig(s, work, [makeKey('root')], { 'ci.pub': pubFile(ci) });
      return {
        action: (runtime) =>
          dct(
            runtime,
            cliEntry,
            s,
            ours,
            ['signer', 'add', '--key', join(ours, 'ci.pub'), 'ci', a],
            dctPass,
          ),
        cli: () =>
          dockerSignerAdd(s, work, c, makeKey('root'), pubFile(ci), {
            root: ROOT_PASS,
            repository: PASS,
          }),
        expected: [],
        delegated: [a, c],
      };
    },
  });
  if (wanted(9)) {
    // One repository with 25 signed tags; both sides inspect it and must print the same JSON.
    const p = 'bench/inspect';
    const inspected = await createTrustedRepo(s, gunOf(p), { signer: 'ci' });
    const tags = names('i', 25);
    await push(p, tags, 'inspect');
    const r = await runAction(
      signInputs(
        [inspected],
        tags.map((t) => `${gunOf(p)}:${t}`),
      ),
      { node, baseDir: work, entry },
    );
    checkActionRun('signing the tags to inspect', r, 'signed', 25);
    // dct adds an `Expires` to each signer and administrative key entry (CLI.md); the rest
    // must be docker's to the byte.
    const docker = (stdout: string): string =>
      JSON.stringify(JSON.parse(stdout), (k, v: unknown) => (k === 'Expires' ? undefined : v));
    const same = async (ours: Sample, theirs: Sample): Promise<void> => {
      if (docker(ours.stdout) !== docker(theirs.stdout)) {
        throw new Error(
          `dct inspect and docker trust inspect differ:\n${ours.stdout}\n${theirs.stdout}`,
        );
      }
      return Promise.resolve();
    };
    let last: Sample | undefined;
    cases.push({
      id: 9,
      title: 'inspect 25 tags',
      runs: SMALL_RUNS,
      output: 'none',
      tags: 0,
      note: 'the same JSON on both sides (checked); the CLI is `docker trust inspect`',
      prepare: async () => {
        const [ours, theirs] = [await dockerConfig(s, work), await dockerConfig(s, work)];
        return {
          action: async (runtime) =>
            (last = await dct(runtime, cliEntry, s, ours, ['inspect', gunOf(p)])),
          cli: async () => {
            const t = await dockerTrust(s, theirs, ['inspect', gunOf(p)]);
            if (last !== undefined) await same(last, t);
            return t;
          },
          expected: [],
        };
      },
    });
  }

  // --- measure -----------------------------------------------------------------------
  // Each run of a case is prepared fresh and runs the action on one runtime (in turn), then
  // the CLI: the CLI gets runs × runtimes samples, each runtime `runs`.
  const results: CaseResult[] = [];
  const measured = new Set<number>();
  const R = runtimes.length;
  for (const c of cases.filter((x) => wanted(x.id))) {
    measured.add(c.id);
    const total = c.runs * R;
    log(`case ${c.id} (${c.title}): preparing ${total} runs (${c.runs} per runtime)`);
    const prepared: RunPlan[] = [];
    for (let i = 0; i < total; i++) prepared.push(await c.prepare(i));
    let floorPlan: FloorPlan | undefined;
    if (c.floorRepo !== undefined) {
      // One more run (after the profile's index), through the recorder, on the first runtime.
      const rec = await c.prepare(total + 1);
      if (typeof rec.action === 'function' || c.output === 'none') {
        throw new Error(`case ${c.id}: a floor needs an action run`);
      }
      floorPlan = await recordFloorPlan(
        s,
        `case ${c.id}`,
        rec.action,
        c.output,
        c.tags,
        repo(c.floorRepo),
        { node, baseDir: work, entry },
      );
      log(
        `case ${c.id} floor: the action made ${floorPlan.notary} trust-server requests (${floorPlan.posts} POST) in ${floorPlan.stages} stages and ${floorPlan.registry} registry requests`,
      );
    }
    const a: Sample[][] = runtimes.map(() => []);
    const b: Sample[] = [];
    const f: Sample[][] = runtimes.map(() => []);
    for (let i = 0; i < total; i++) {
      const rt = runtimes[i % R];
      const plan = prepared[i].action;
      let r: Sample;
      if (typeof plan === 'function') {
        r = await plan(rt.path);
      } else {
        const run = await runAction(plan, { node: rt.path, baseDir: work, entry });
        checkActionRun(`case ${c.id} run ${i + 1} (${rt.label})`, run, c.output, c.tags);
        r = run;
      }
      a[i % R].push(r);
      const cli = await prepared[i].cli();
      b.push(cli);
      const fl = floorPlan === undefined ? undefined : await runFloor(rt.path, floorPlan, work);
      if (fl !== undefined) f[i % R].push(fl);
      log(
        `case ${c.id} run ${i + 1}/${total}: ${rt.label} ${sec(r.wallMs)} ${mib(r.rssKiB)}, CLI ${sec(cli.wallMs)} ${mib(cli.rssKiB)}${fl === undefined ? '' : `, floor ${sec(fl.wallMs)} ${mib(fl.rssKiB)}${fl.done.posts.length > 0 ? ` (its POSTs answered ${fl.done.posts.join(', ')})` : ''}`}`,
      );
    }
    await checkListed(
      s,
      prepared.flatMap((x) => x.expected),
    );
    await checkCosigned(
      s,
      prepared.flatMap((x) => x.cosignTags ?? []),
      'bench/dual',
    );
    for (const gun of prepared.flatMap((x) => x.delegated ?? [])) {
      const listed = await new NotaryCli(s).ok(['delegation', 'list', gun]);
      if (!listed.includes('targets/ci')) throw new Error(`${gun}: no targets/ci delegation`);
    }
    const cli = side(b);
    results.push({
      id: c.id,
      title: c.title,
      runs: c.runs,
      ...(c.note ? { note: c.note } : {}),
      actions: runtimes.map((rt, k) => {
        const sd = side(a[k]);
        return { runtime: rt.label, side: sd, ratio: sd.medianMs / cli.medianMs };
      }),
      cli,
      ...(floorPlan === undefined
        ? {}
        : {
            floors: runtimes.map((rt, k) => {
              const sd = side(f[k]);
              return { runtime: rt.label, side: sd, ratio: sd.medianMs / cli.medianMs };
            }),
          }),
    });
  }

  // --- report ------------------------------------------------------------------------
  const goals = issueGoals(results, startups);
  const others = otherChecks(results, startups);
  const load1 = loadavg();

  console.log(`\n=== results ${'='.repeat(70)}`);
  console.log(textTable(resultRows(results, runtimes)));
  console.log(`\n${textTable(cpuRows(results, runtimes))}`);
  for (const r of results.filter((x) => x.note)) console.log(`note, case ${r.id}: ${r.note}`);
  console.log(
    `CLI = /usr/bin/notary ${notaryVersion} from a cold trust dir (private keys only): one addhash per tag (-r targets/releases -r targets/ci) then one publish per repository, in one sh script; case 4: one \`notary list\`; case 6: then trixie's cosign, one \`cosign sign --key … --tlog-upload=false\` of the 25 digests; case 7 and 8: \`docker trust signer add\` (docker 28); case 9: \`docker trust inspect\`; cases 8 and 9 run \`dct\` (dist/cli/index.js) on each runtime. The CLI ran beside every action run (${R} × the action's runs).`,
  );
  if (results.some((r) => r.floors !== undefined)) {
    console.log(
      "floor = scripts/bench/floor-program.mjs on each runtime beside every run of the goal cases: no project code, node:https with keep-alive for the trust server and one HTTP/2 session for the registry when it offers h2, the requests of one recorded action run (the trust-server's through a recording proxy, the registry's from its log) in the same order and grouping, registry requests alongside; sha256 + JSON.parse + every signature verified per metadata file; before each POST the repository's largest targets role gets one target, is JSON.stringify'd in full and signed once (ECDSA, key decrypted from its PEM); the recorded POST body is sent again (same bytes; the server refuses it as an old version after checking it). Cells: median, ratio to the CLI, peak RSS.",
    );
  }
  printStartup();
  console.log(
    `load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${load1.map((x) => x.toFixed(2)).join(' ')} at end, ${cpus().length} CPUs`,
  );
  if (goals.length > 0) {
    console.log(`\n=== issue 16 goals ${'='.repeat(63)}`);
    console.log(textTable(goalRows(goals, runtimes)));
  }
  console.log('\nother checks:');
  for (const g of others) {
    console.log(`${g.pass ? 'PASS' : 'MISS'}  ${g.runtime}: ${g.goal}: ${g.reached}`);
  }
  console.log(`\n=== README (Markdown) ${'='.repeat(60)}\n`);
  console.log(markdownTable(resultRows(results, runtimes)));
  if (goals.length > 0) console.log(`\n${markdownTable(goalRows(goals, runtimes))}`);
  console.log(`\n${markdownTable(startupRows(runtimes, startups))}`);

  // --- profile -----------------------------------------------------------------------
  const profiles: { case: number; file: string }[] = [];
  if (profileMode !== 'off') {
    const first = runtimes[0].label;
    const missed = new Set(
      [...goals, ...others].filter((g) => !g.pass && g.runtime === first).map((g) => g.case),
    );
    const profDir = join(outDir, 'profiles');
    await mkdir(profDir, { recursive: true });
    for (const c of cases.filter((x) => measured.has(x.id))) {
      if (profileMode === 'missed' && !missed.has(c.id)) continue;
      const plan = await c.prepare(c.runs * R);
      if (typeof plan.action === 'function') continue; // dct cases: the action is not involved
      const name = `case${c.id}.cpuprofile`;
      const r = await runAction(plan.action, {
        node,
        baseDir: work,
        entry,
        nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', name],
      });
      checkActionRun(`profiled case ${c.id}`, r, c.output, c.tags);
      const file = join(profDir, name);
      profiles.push({ case: c.id, file });
      console.log(
        `\n${formatProfile(`case ${c.id} ${c.title} on ${first}, ${sec(r.wallMs)} wall`, summarizeProfile(file))}`,
      );
    }
    if (profileMode === 'all' || missed.has(1)) {
      const name = 'startup.cpuprofile';
      await runAction(
        { command: 'verify', images: '' },
        {
          node,
          baseDir: work,
          entry,
          nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-name', name],
        },
      );
      profiles.push({ case: 0, file: join(profDir, name) });
      console.log(
        `\n${formatProfile(`start-up, no work, on ${first}`, summarizeProfile(join(profDir, name)))}`,
      );
    }
  }

  const json = {
    date: new Date().toISOString(),
    runtimes,
    notary: notaryVersion,
    cpus: cpus().length,
    loadavg: { start: load0, end: load1 },
    entryBytes,
    bundle: composition.slice(0, 15),
    startup: Object.fromEntries(startups),
    cases: results,
    goals,
    otherChecks: others,
    profiles,
  };
  const out = join(outDir, 'bench-results.json');
  await writeFile(out, JSON.stringify(json, null, 2) + '\n');
  console.log(`\nresults: ${out}`);
  log('done');
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (e) {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
} finally {
  if (!interrupted) await sb?.stop();
}
process.exit(code);
