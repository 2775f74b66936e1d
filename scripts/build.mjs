// Bundles the entries (the action's main and post, the `dct` command line) with ncc into
// dist/<entry>/, unminified with source maps and a licenses file, so a reviewer can read what
// runs. `--out <dir>` writes elsewhere than dist/ (to measure a change without touching the
// committed bundle).
import ncc from '@vercel/ncc';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const distDir = outArg === -1 ? join(root, 'dist') : resolve(process.argv[outArg + 1]);
// @actions/core imports its OIDC client (lib/oidc-utils.js, and with it @actions/http-client and
// undici, most of the bundle) at load, for core.getIDToken alone, which this action never calls.
// webpack cannot drop it (the package declares no `sideEffects`), so ncc's `externals` replaces
// that one import with this stub, a data: URL that Node imports without a file; the rest of
// @actions/core stays the API the code uses. Externals match the request alone: only
// @actions/core imports `./oidc-utils.js`, and the build fails when it no longer does.
const OIDC_STUB = `data:text/javascript,export const OidcClient = { getIDToken() { throw new Error('core.getIDToken is not available in this action: its OIDC client is left out of the bundle (scripts/build.mjs)'); } };`;
// Likewise its lib/platform.js (core.platform) imports @actions/exec, and with it @actions/io,
// child_process and assert, at load, for getDetails() alone, which this action never calls
// either. Its stub keeps the platform facts (from node:os, as core computes them).
const PLATFORM_STUB =
  "data:text/javascript,import os from 'node:os';" +
  'export const platform = os.platform(); export const arch = os.arch();' +
  "export const isWindows = platform === 'win32'; export const isMacOS = platform === 'darwin';" +
  "export const isLinux = platform === 'linux';" +
  "export async function getDetails() { throw new Error('core.platform.getDetails is not available in this action: it is left out of the bundle (scripts/build.mjs)'); }";
const entries = [
  ['main', 'src/main.ts'],
  ['post', 'src/post.ts'],
  ['cli', 'src/cli/main.ts'],
];

for (const [entry, source] of entries) {
  const out = join(distDir, entry);
  await rm(out, { recursive: true, force: true });
  const { code, map, assets } = await ncc(join(root, source), {
    minify: false,
    sourceMap: true,
    sourceMapRegister: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
    externals: { './oidc-utils.js': OIDC_STUB, './platform.js': PLATFORM_STUB },
  });
  const usesCore = ['main', 'post'].includes(entry);
  for (const [request, stub] of [
    ['./oidc-utils.js', OIDC_STUB],
    ['./platform.js', PLATFORM_STUB],
  ]) {
    if (usesCore && !code.includes(`from "${stub}"`)) {
      throw new Error(
        `${entry}: @actions/core no longer imports ${request}; review its stub in scripts/build.mjs`,
      );
    }
  }
  await mkdir(out, { recursive: true });
  // The command line runs as `./dist/cli/index.js` too: keep its shebang, make it executable.
  const text = entry === 'cli' && !code.startsWith('#!') ? `#!/usr/bin/env node\n${code}` : code;
  await writeFile(join(out, 'index.js'), text, { mode: entry === 'cli' ? 0o755 : 0o644 });
  if (map) await writeFile(join(out, 'index.js.map'), map);
  for (const [name, asset] of Object.entries(assets)) {
    await mkdir(dirname(join(out, name)), { recursive: true });
    await writeFile(join(out, name), asset.source);
  }
  console.log(
    `${join(distDir, entry)}: ${code.length} bytes, ${Object.keys(assets).length} assets`,
  );
}
