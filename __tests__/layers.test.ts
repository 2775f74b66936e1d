/**
 * The layering of src/ (STYLE.md "A layout that shows the architecture"): a module imports only
 * from its own folder and from the layers below it, never up. Key formats know nothing of TUF,
 * TUF nothing of HTTP, the clients nothing of the flows, and the flows nothing of the two
 * entries (the action and the CLI), which do not import each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Lowest first. Units on one line sit side by side and do not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['errors.ts', 'redact.ts'],
  ['keys'],
  ['tuf'],
  ['http'],
  ['registry'],
  ['notary'],
  ['cosign'],
  ['signer'],
  ['action', 'cli'],
  ['main.ts', 'post.ts'],
];

/** Packages that only the entries may load (STYLE.md: the lower layers never import them). */
const ENTRY_ONLY_PACKAGES = ['@actions/core', '@actions/cache'];

/**
 * Upward imports not yet removed, each with what removes it. Keep this empty; an entry is a
 * debt with a name, not a permission.
 */
const PENDING = new Set<string>([]);

function unitOf(path: string): string {
  return path.split('/')[0];
}

function layerOf(unit: string): number {
  const i = LAYERS.findIndex((l) => l.includes(unit));
  if (i === -1) throw new Error(`src/${unit} is in no layer; add it to LAYERS in layers.test.ts`);
  return i;
}

/** Every module a file's text imports (static, re-exported or dynamic), as written. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) out.push(m[1]);
  return out;
}

/** The layering violations of one file (`file` relative to src/, imports as written). */
function violations(file: string, imports: string[]): string[] {
  const from = unitOf(file);
  const out: string[] = [];
  for (const spec of imports) {
    if (!spec.startsWith('.')) {
      if (ENTRY_ONLY_PACKAGES.includes(spec) && layerOf(from) < layerOf('action')) {
        out.push(`${file} -> ${spec}`);
      }
      continue;
    }
    const target = relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts');
    const to = unitOf(target);
    if (to === from) continue;
    const edge = `${file} -> ${target}`;
    if (layerOf(to) >= layerOf(from) && !PENDING.has(edge)) out.push(edge);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [relative(SRC, join(dir, e.name))]
        : [],
  );
}

describe('layering of src/', () => {
  it('no module imports a layer above its own, or a neighbour on its layer', () => {
    const found = sourceFiles(SRC).flatMap((f) =>
      violations(f, importsOf(readFileSync(join(SRC, f), 'utf8'))),
    );
    expect(found).toEqual([]);
  });

  it('every pending exception still exists (remove it once fixed)', () => {
    const edges = new Set(
      sourceFiles(SRC).flatMap((f) =>
        importsOf(readFileSync(join(SRC, f), 'utf8'))
          .filter((s) => s.startsWith('.'))
          .map(
            (s) => `${f} -> ${relative(SRC, resolve(SRC, dirname(f), s)).replace(/\.js$/, '.ts')}`,
          ),
      ),
    );
    for (const edge of PENDING) expect(edges.has(edge), edge).toBe(true);
  });

  it('catches what it is meant to catch', () => {
    const keyring = `import type { TufSigner } from '../tuf/signer.js';\nimport { x } from './sign.js';`;
    expect(importsOf(keyring)).toEqual(['../tuf/signer.js', './sign.js']);
    expect(violations('keys/keyring.ts', importsOf(keyring))).toEqual([
      'keys/keyring.ts -> tuf/signer.ts',
    ]);
    expect(
      violations(
        'signer/admin/repo.ts',
        ["await import('../../cli/context.js')"].flatMap(importsOf),
      ),
    ).toEqual(['signer/admin/repo.ts -> cli/context.ts']);
    expect(violations('action/run.ts', ['../cli/run.js'])).toEqual(['action/run.ts -> cli/run.ts']);
    expect(violations('registry/client.ts', ['@actions/core'])).toEqual([
      'registry/client.ts -> @actions/core',
    ]);
    expect(violations('signer/sign.ts', ['../tuf/load.js', '../errors.js', './types.js'])).toEqual(
      [],
    );
  });
});
