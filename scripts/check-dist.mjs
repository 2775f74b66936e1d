// `npm run check-dist`: fails when the committed dist/ is not what the sources build to.
// The build runs in a temp copy so the work tree is never touched. webpack (inside ncc)
// names modules after their paths relative to the project, so the copy gets a real
// node_modules (hard links) rather than a symlink, which would change every module ID.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import process from 'node:process';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const say = (text) => process.stdout.write(`${text}\n`);
const complain = (text) => process.stderr.write(`${text}\n`);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Source files to copy: git's view (tracked + untracked, not ignored) or the whole tree. */
function sourceFiles() {
  const skip = (f) => f === 'dist' || f.startsWith('dist/') || f.startsWith('node_modules/');
  try {
    const out = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out
      .toString('utf8')
      .split('\0')
      .filter((f) => f !== '' && !skip(f) && existsSync(join(root, f)));
  } catch {
    return null; // not a git checkout: copy everything but dist, node_modules and .git
  }
}

async function copyTree(dest) {
  const files = sourceFiles();
  if (files === null) {
    await cp(root, dest, {
      recursive: true,
      filter: (src) => {
        const rel = relative(root, src).split(sep)[0];
        return !['dist', 'node_modules', '.git'].includes(rel);
      },
    });
  } else {
    for (const f of files) {
      await mkdir(dirname(join(dest, f)), { recursive: true });
      await cp(join(root, f), join(dest, f));
    }
  }
  const modules = await realpath(join(root, 'node_modules'));
  try {
    execFileSync('cp', ['-al', modules, join(dest, 'node_modules')], { stdio: 'ignore' });
  } catch {
    await rm(join(dest, 'node_modules'), { recursive: true, force: true });
    execFileSync('cp', ['-a', modules, join(dest, 'node_modules')], { stdio: 'ignore' });
  }
  // Build caches (and the cached Node 24 of the tests) are not part of the build input.
  await rm(join(dest, 'node_modules', '.cache'), { recursive: true, force: true });
}

/** path relative to dir -> sha256 of the content, for every file below dir. */
async function hashes(dir) {
  const result = new Map();
  if (!existsSync(dir)) return result;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = join(e.parentPath, e.name);
    const digest = createHash('sha256')
      .update(await readFile(full))
      .digest('hex');
    result.set(relative(dir, full).split(sep).join('/'), digest);
  }
  return result;
}

/** dist/ files that differ from HEAD or are untracked: the work tree is not what was committed. */
function uncommittedDist() {
  try {
    const out = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=all', '--', 'dist/'],
      { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return out.toString('utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

class BuildError extends Error {}

const tmp = await mkdtemp(join(tmpdir(), 'check-dist-'));
let status = 0;
try {
  const started = Date.now();
  await copyTree(tmp);
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: tmp, stdio: 'pipe' });
  } catch (e) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').slice(-40).join('\n');
    throw new BuildError(`check-dist: the build failed, so dist/ cannot be checked:\n${out}`);
  }
  const fresh = await hashes(join(tmp, 'dist'));
  const committed = await hashes(join(root, 'dist'));
  const changes = [];
  for (const [f, h] of fresh) {
    if (!committed.has(f)) changes.push(`  missing   dist/${f}`);
    else if (committed.get(f) !== h) changes.push(`  differs   dist/${f}`);
  }
  for (const f of committed.keys()) if (!fresh.has(f)) changes.push(`  extra     dist/${f}`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (changes.length > 0) {
    status = 1;
    complain(
      `check-dist: dist/ is stale: a fresh build of the sources differs in ` +
        `${changes.length} file(s):\n${changes.sort().join('\n')}\n` +
        'Run `npm run build` and commit dist/.',
    );
  } else {
    say(`check-dist: dist/ matches a fresh build (${fresh.size} files, ${seconds} s).`);
  }
  const dirty = uncommittedDist();
  if (dirty.length > 0) {
    status = 1;
    complain(
      `check-dist: dist/ has changes that are not committed:\n${dirty.map((l) => `  ${l}`).join('\n')}\n` +
        'Commit dist/ together with the sources it was built from.',
    );
  }
} catch (e) {
  if (!(e instanceof BuildError)) throw e;
  complain(e.message);
  status = 2;
} finally {
  await rm(tmp, { recursive: true, force: true });
}
process.exit(status);
