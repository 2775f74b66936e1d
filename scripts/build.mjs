// Bundles the two entries (main, post) with ncc into dist/<entry>/, unminified with source
// maps and a licenses file, so a reviewer can read what runs.
import ncc from '@vercel/ncc';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entries = ['main', 'post'];

for (const entry of entries) {
  const out = join(root, 'dist', entry);
  await rm(out, { recursive: true, force: true });
  const { code, map, assets } = await ncc(join(root, 'src', `${entry}.ts`), {
    minify: false,
    sourceMap: true,
    sourceMapRegister: false,
    license: 'licenses.txt',
    quiet: true,
    target: 'es2022',
  });
  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'index.js'), code);
  if (map) await writeFile(join(out, 'index.js.map'), map);
  for (const [name, asset] of Object.entries(assets)) {
    await mkdir(dirname(join(out, name)), { recursive: true });
    await writeFile(join(out, name), asset.source);
  }
  console.log(`dist/${entry}: ${code.length} bytes, ${Object.keys(assets).length} assets`);
}
