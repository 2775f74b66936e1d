/**
 * What the bundled steps load when they start (issue 16): every run pays for each module
 * loaded at start, so what only some runs need (compression for key archives and encoded
 * answers, HTTP/2, child processes for credential helpers, the cache service, a proxy client)
 * must load on use. Measured on the committed bundles, with Node's own list of the builtin
 * modules it loaded.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runner.js';

const ON_USE = ['zlib', 'http2', 'child_process', 'assert', 'dgram', 'worker_threads'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dct-startup-'));
  // Preloaded: at exit, writes the builtin modules loaded since it ran.
  await writeFile(
    join(dir, 'loaded.cjs'),
    `const before = new Set(process.moduleLoadList);
process.on('exit', () => {
  const mods = process.moduleLoadList.filter((m) => !before.has(m) && m.startsWith('NativeModule '));
  require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded.json'))}, JSON.stringify(mods.map((m) => m.slice(13))));
});`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadedBy(entry: string, inputs: Record<string, string>): Promise<string[]> {
  await writeFile(join(dir, 'state'), '');
  await writeFile(join(dir, 'output'), '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    RUNNER_TEMP: dir,
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_OUTPUT: join(dir, 'output'),
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  await promisify(execFile)(
    process.execPath,
    ['--require', join(dir, 'loaded.cjs'), join(REPO_ROOT, entry)],
    { env, cwd: dir },
  ).catch((e: { code?: number }) => {
    // The main step fails its input check (no images): that is the run measured.
    if (e.code !== 1) throw e;
  });
  return JSON.parse(await readFile(join(dir, 'loaded.json'), 'utf8')) as string[];
}

describe('start-up loads only what every run needs', () => {
  it('the main step, failing its input check, loads no builtin that only some runs use', async () => {
    const loaded = await loadedBy('dist/main/index.js', { command: 'verify', images: '' });
    // It did start: the HTTP and crypto modules every run uses are there.
    expect(loaded).toEqual(expect.arrayContaining(['crypto', 'https']));
    expect(loaded.filter((m) => ON_USE.includes(m))).toEqual([]);
  });

  it('the post step with nothing to clean up loads none of them either', async () => {
    const loaded = await loadedBy('dist/post/index.js', {});
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((m) => ON_USE.includes(m))).toEqual([]);
  });
});

describe('third-party code only some runs use is in chunks loaded on use', () => {
  it('the main bundle holds only @actions/core; XSalsa20 (cosign keys) is its own chunk', async () => {
    const main = await readFile(join(REPO_ROOT, 'dist/main/index.js'), 'utf8');
    const packages = new Set(main.match(/node_modules\/@?[a-z0-9.-]+(\/[a-z0-9.-]+)?/g));
    expect([...packages]).toEqual(['node_modules/@actions/core']);
    expect(main).not.toContain('xsalsa20poly1305');
  });
});
