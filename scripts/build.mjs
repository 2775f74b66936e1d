// Bundles the entries (the action's main and post, the `dct` command line) with ncc into dist/<entry>/, unminified with source
// maps and a licenses file, so a reviewer can read what runs.
import ncc from '@vercel/ncc';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  ['main', 'src/main.ts'],
  ['post', 'src/post.ts'],
  ['cli', 'src/cli/main.ts'],
];

for (const [entry, source] of entries) {
  const out = join(root, 'dist', entry);
  await rm(out, { recursive: true, force: true });
  const { code, map, assets } = await ncc(join(root, source), {
    minify: false,
    sourceMap: true,
    sourceMapRegister: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  });
  await mkdir(out, { recursive: true });
  // The command line runs as `./dist/cli/index.js` too: keep its shebang, make it executable.
  const text = entry === 'cli' && !code.startsWith('#!') ? `#!/usr/bin/env node\n${code}` : code;
  await writeFile(join(out, 'index.js'), text, { mode: entry === 'cli' ? 0o755 : 0o644 });
  if (map) await writeFile(join(out, 'index.js.map'), map);
  for (const [name, asset] of Object.entries(assets)) {
    await mkdir(dirname(join(out, name)), { recursive: true });
    await writeFile(join(out, name), asset.source);
  }
  console.log(`dist/${entry}: ${code.length} bytes, ${Object.keys(assets).length} assets`);
}
