// Reads a V8 `.cpuprofile` of the bundled action and says where its time went: self and
// inclusive time per function, mapped back to src/ (or node_modules) with dist's source map.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../__tests__/support/runner.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileItem {
  name: string;
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** V8's (idle): the event loop waiting, i.e. on the network and the servers. */
  idleMs: number;
  gcMs: number;
  /** Self time grouped by source file (src/…, node_modules/<pkg>, node:internal). */
  byFile: { where: string; selfMs: number }[];
  /** Functions by inclusive time. */
  top: ProfileItem[];
}

const maps = new Map<string, SourceMap | null>();

function sourceMapFor(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      const file = fileURLToPath(url);
      if (existsSync(`${file}.map`)) {
        map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as never);
      }
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url) ?? null;
}

/** `src/x.ts:12`, `node_modules/pkg`, `node:internal/…` or the bare URL. */
function locate(frame: CallFrame): { file: string; line: number } {
  if (frame.url === '') return { file: '(native)', line: 0 };
  if (!frame.url.startsWith('file:')) return { file: frame.url, line: frame.lineNumber + 1 };
  const map = sourceMapFor(frame.url);
  const found = map?.findEntry(frame.lineNumber, frame.columnNumber);
  // findEntry gives {} for a position the map does not cover.
  const entry = found !== undefined && 'originalSource' in found ? found : undefined;
  const raw = entry?.originalSource ?? fileURLToPath(frame.url);
  let file = raw.replace(/^webpack:\/\/[^/]*\//, '').replace(/^file:\/\//, '');
  if (file.startsWith('/')) file = relative(REPO_ROOT, file);
  // The bundler names sources `../node_modules/…` or `src/…` relative to its context.
  file = file.replace(/^(\.\.?\/)+/, '');
  return { file, line: (entry?.originalLine ?? frame.lineNumber) + 1 };
}

function fileGroup(file: string): string {
  // ncc nests paths (`node_modules/node_modules/x`): the package is after the last one.
  const nm = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (nm) return `node_modules/${nm[1]}`;
  return file;
}

export function summarizeProfile(path: string, topN = 15): ProfileSummary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const totalMs = (p.endTime - p.startTime) / 1000;
  const located = new Map<number, { key: string; name: string; where: string; group: string }>();
  for (const n of p.nodes) {
    const { file, line } = locate(n.callFrame);
    const name = n.callFrame.functionName || '(anonymous)';
    const where = `${file}:${line}`;
    // Built-ins (JSON.parse, sort, GC…) have no URL: group them by name instead.
    const group = file === '(native)' ? `(native) ${name}` : fileGroup(file);
    located.set(n.id, { key: `${name} ${where}`, name, where, group });
  }
  let idleMs = 0;
  let gcMs = 0;
  const byFile = new Map<string, number>();
  const selfByKey = new Map<string, number>();
  const totalByKey = new Map<string, number>();
  // Depth-first from the root, counting a function's inclusive time once per stack.
  const walk = (id: number, onStack: Map<string, number>): number => {
    const n = byId.get(id)!;
    const loc = located.get(id)!;
    const s = self.get(id) ?? 0;
    if (n.callFrame.functionName === '(idle)') idleMs += s;
    else if (n.callFrame.functionName === '(garbage collector)') gcMs += s;
    byFile.set(loc.group, (byFile.get(loc.group) ?? 0) + s);
    selfByKey.set(loc.key, (selfByKey.get(loc.key) ?? 0) + s);
    onStack.set(loc.key, (onStack.get(loc.key) ?? 0) + 1);
    let total = s;
    for (const c of n.children ?? []) total += walk(c, onStack);
    const depth = onStack.get(loc.key)! - 1;
    if (depth === 0) {
      onStack.delete(loc.key);
      totalByKey.set(loc.key, (totalByKey.get(loc.key) ?? 0) + total);
    } else {
      onStack.set(loc.key, depth);
    }
    return total;
  };
  const children = new Set(p.nodes.flatMap((n) => n.children ?? []));
  for (const n of p.nodes) if (!children.has(n.id)) walk(n.id, new Map());

  const skip = /^\((root|program|idle|garbage collector)\)/;
  const top = [...totalByKey.entries()]
    .map(([key, totalMs]) => {
      const [name, where] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
      return { name, where, selfMs: selfByKey.get(key) ?? 0, totalMs };
    })
    .filter((x) => !skip.test(x.name))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, topN);
  return {
    totalMs,
    idleMs,
    gcMs,
    byFile: [...byFile.entries()]
      .map(([where, selfMs]) => ({ where, selfMs }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, topN),
    top,
  };
}

export function formatProfile(title: string, s: ProfileSummary): string {
  const pct = (ms: number): string => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  const ms = (x: number): string => `${x.toFixed(0).padStart(6)} ms`;
  const out = [
    `--- profile: ${title} (${s.totalMs.toFixed(0)} ms in the main thread; idle ${pct(s.idleMs).trim()} = waiting on I/O, GC ${pct(s.gcMs).trim()})`,
    'self time by source:',
    ...s.byFile.map((f) => `  ${ms(f.selfMs)} ${pct(f.selfMs)}  ${f.where}`),
    'functions by inclusive time (self in brackets):',
    ...s.top.map(
      (f) =>
        `  ${ms(f.totalMs)} ${pct(f.totalMs)} [${f.selfMs.toFixed(0)} ms]  ${f.name}  ${f.where}`,
    ),
  ];
  return out.join('\n');
}

/** Source bytes per package in a bundle, from its source map's `sourcesContent`. */
export function bundleComposition(mapFile: string): { where: string; bytes: number }[] {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as {
    sources: string[];
    sourcesContent?: (string | null)[];
  };
  const sizes = new Map<string, number>();
  map.sources.forEach((src, i) => {
    const file = src.replace(/^webpack:\/\/[^/]*\//, '').replace(/^(\.\.?\/)+/, '');
    const group = file.includes('node_modules/') ? fileGroup(file) : file.split('/')[0];
    sizes.set(group, (sizes.get(group) ?? 0) + (map.sourcesContent?.[i]?.length ?? 0));
  });
  return [...sizes.entries()]
    .map(([where, bytes]) => ({ where, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
}
