// `npm run sandbox [-- --auth] [-- --node current]`: the action's sign job against a local
// real Notary setup. Starts notary-server and a registry on loopback, pushes a sample image
// under two tags, creates a trusted repository with a `ci` signer with the bundled `dct` (key
// generate, signer add, key export, as a user would), runs the bundled action (main, then
// post), shows its log as the runner shows it, and what `dct inspect` and a fresh notary
// client see.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { pushImage } from '../__tests__/support/images.js';
import { NotaryCli, parseList } from '../__tests__/support/notary-cli.js';
import { CLI_ENTRY, dct, dockerConfig } from './bench/dct.js';
import {
  node24,
  REPO_ROOT,
  runActionJob,
  runnerLog,
  type ActionRun,
} from '../__tests__/support/runner.js';
import { ensurePackages, startSandbox, type Sandbox } from '../__tests__/support/servers.js';

const args = process.argv.slice(2);
const useAuth = args.includes('--auth');
const nodeArg = args.includes('--node') ? args[args.indexOf('--node') + 1] : undefined;

let sb: Sandbox | undefined;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: stopping the servers`);
    void (sb?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

function section(title: string): void {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 70 - title.length))}`);
}

/** The step as a user reads it in the runner's log (commands rendered, secrets as ***). */
function show(step: string, run: ActionRun): void {
  section(`action ${step}: exit ${run.code} (as the runner's log shows it)`);
  // The runner reads workflow commands on both streams and masks both.
  for (const line of runnerLog(`${run.stdout}\n${run.stderr}`)) console.log(line);
  console.log(`(${run.masks.length} values masked; debug lines need step debugging)`);
  console.log('--- outputs ---');
  for (const [k, v] of Object.entries(run.outputs)) console.log(`${k}: ${v}`);
  if (run.summary.trim() !== '') console.log(`--- job summary ---\n${run.summary}`);
}

async function main(): Promise<number> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'main', 'index.js')) || !existsSync(CLI_ENTRY)) {
    section('building dist (npm run build)');
    execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
  }
  section('packages');
  await ensurePackages();
  const node = nodeArg === 'current' ? process.execPath : (nodeArg ?? (await node24()));
  console.log(`action runs on ${execFileSync(node, ['--version']).toString().trim()} (${node})`);

  section(`servers${useAuth ? ' (token auth)' : ''}`);
  sb = await startSandbox({ notaryAuth: useAuth, registryAuth: useAuth });
  console.log(`dir       ${sb.dir}`);
  console.log(`registry  ${sb.registry.url}`);
  console.log(`notary    ${sb.notary.url}`);
  if (sb.token) console.log(`token     ${sb.token.url}`);
  const [user, password] = Object.entries(sb.token?.users ?? {})[0] ?? [];
  const auth =
    user !== undefined && password !== undefined ? { username: user, password } : undefined;

  section('sample image and trusted repository');
  const gun = `${sb.registry.host}/sandbox/app`;
  const images = [`${gun}:1.0`, `${gun}:latest`];
  for (const image of images) {
    const tag = image.slice(image.lastIndexOf(':') + 1);
    const pushed = await pushImage(sb, 'sandbox/app', tag, auth ? { auth } : {});
    console.log(`pushed ${image} ${pushed.digest} (${pushed.size} bytes)`);
  }
  // The user's side, with dct: a signer key, the repository with that signer, the key
  // exported for the workflow's `keys` secret.
  // With --auth, dct logs in to the trust server with the registry's credentials, from
  // config.json as `docker login` leaves them.
  const loginFile: Record<string, string> = auth
    ? {
        'config.json': JSON.stringify({
          auths: {
            [sb.registry.host]: {
              auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64'),
            },
          },
        }),
      }
    : {};
  const config = await dockerConfig(sb, sb.dir, [], loginFile);
  const passphrase = 'sandbox-repository-passphrase';
  const dctEnv = {
    DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: 'sandbox-root-passphrase',
    DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: passphrase,
  };
  const dctRun = async (args: string[]): Promise<string> => {
    console.log(`$ dct ${args.join(' ')}`);
    const r = await dct(node, CLI_ENTRY, sb!, config, args, dctEnv);
    process.stdout.write(r.stderr + r.stdout);
    return r.stdout;
  };
  section('dct: set up the repository (DOCKER_CONFIG of its own)');
  console.log(`DOCKER_CONFIG=${config} DOCKER_CONTENT_TRUST_SERVER=${sb.notary.url}`);
  await dctRun(['key', 'generate', 'ci', '--dir', config]);
  await dctRun(['signer', 'add', '--key', join(config, 'ci.pub'), 'ci', gun]);
  const keysPem = await dctRun(['key', 'export', 'ci']);

  const workDir = await mkdtemp(join(sb.dir, 'runner-'));
  const inputs: Record<string, string> = {
    command: 'sign',
    images: images.join('\n'),
    keys: keysPem,
    passphrase,
    'trust-server': sb.notary.url,
    'ca-cert': sb.caPem,
  };
  if (auth) {
    inputs['registry-username'] = auth.username;
    inputs['registry-password'] = auth.password;
  }
  const { main: mainRun, post } = await runActionJob({ inputs, workDir, node });
  show('main', mainRun);
  show('post', post);

  section(`dct inspect --pretty ${gun}`);
  await dctRun(['inspect', '--pretty', gun]).catch((e: unknown) => {
    console.log(e instanceof Error ? e.message : String(e));
  });

  section(`notary list ${gun} (fresh trust dir)`);
  const fresh = await new NotaryCli(sb).run(['list', gun]);
  process.stdout.write(fresh.stdout + fresh.stderr);

  const ok = mainRun.code === 0 && post.code === 0;
  section(ok ? 'action succeeded' : 'ACTION FAILED');
  for (const line of [...mainRun.failed, ...post.failed]) console.log(`error: ${line}`);
  if (!ok) return 1;
  // A success that left nothing for notary to read is a failure too.
  const listed = new Set(parseList(fresh.stdout).map((t) => t.name));
  const missing = images.map((i) => i.slice(i.lastIndexOf(':') + 1)).filter((t) => !listed.has(t));
  if (missing.length > 0) {
    console.log(`but notary lists no signature for: ${missing.join(', ')}`);
    return 2;
  }
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
