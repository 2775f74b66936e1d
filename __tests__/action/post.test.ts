import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPost } from '../../src/action/post.js';
import { MainState, readPostState } from '../../src/action/state.js';

/** A fake @actions/core: state in a map (a later save wins, as with GITHUB_STATE). */
function fakeCore(initial: Record<string, string> = {}) {
  const state = new Map(Object.entries(initial));
  const infos: string[] = [];
  const warnings: string[] = [];
  return {
    state,
    infos,
    warnings,
    saveState: (k: string, v: string) => void state.set(k, v),
    getState: (k: string) => state.get(k) ?? '',
    info: (m: string) => void infos.push(m),
    warning: (m: string) => void warnings.push(m),
  };
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'dct-post-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('state', () => {
  it('keeps the flag and every recorded path, once each', () => {
    const c = fakeCore();
    const s = new MainState(c);
    s.markRan();
    s.recordPath('/tmp/a');
    s.recordPath('/tmp/b');
    s.recordPath('/tmp/a');
    expect(readPostState(c)).toEqual({ mainRan: true, paths: ['/tmp/a', '/tmp/b'], problems: [] });
  });

  it('drops relative paths, roots and garbage from a damaged state', () => {
    const c = fakeCore({ isPost: 'true', tempPaths: JSON.stringify(['rel', '/', 7, '/tmp/x']) });
    const s = readPostState(c);
    expect(s.paths).toEqual(['/tmp/x']);
    expect(s.problems).toHaveLength(3);
    expect(readPostState(fakeCore({ tempPaths: '{' })).problems[0]).toMatch(/not valid JSON/);
  });
});

describe('runPost', () => {
  it('removes every recorded path, and running twice is fine', async () => {
    const dir = join(root, 'cache');
    const file = join(root, 'file.json');
    await mkdir(join(dir, 'sub'), { recursive: true });
    await writeFile(join(dir, 'sub', 'x.json'), '{}');
    await writeFile(file, '{}');
    const c = fakeCore();
    const s = new MainState(c);
    s.markRan();
    s.recordPath(dir);
    s.recordPath(file);

    await runPost({ core: c });
    expect(existsSync(dir)).toBe(false);
    expect(existsSync(file)).toBe(false);
    expect(c.infos).toEqual([`Removed ${dir}`, `Removed ${file}`]);

    await runPost({ core: c });
    expect(c.infos.slice(2)).toEqual([`Already gone: ${dir}`, `Already gone: ${file}`]);
    expect(c.warnings).toEqual([]);
  });

  it('is fine when main never ran', async () => {
    const c = fakeCore();
    await expect(runPost({ core: c })).resolves.toBeUndefined();
    expect(c.infos[0]).toMatch(/did not run/);
    expect(c.warnings).toEqual([]);
  });

  it('warns, and goes on, when a path cannot be removed', async () => {
    const keep = join(root, 'keep');
    const gone = join(root, 'gone');
    await mkdir(keep);
    await mkdir(gone);
    const c = fakeCore();
    const s = new MainState(c);
    s.markRan();
    s.recordPath(keep);
    s.recordPath(gone);
    const remove = async (p: string) => {
      if (p === keep) throw Object.assign(new Error(`EACCES: permission denied, rmdir '${p}'`));
      await rm(p, { recursive: true, force: true });
    };
    await expect(runPost({ core: c, remove })).resolves.toBeUndefined();
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toContain(`Could not remove ${keep}`);
    expect(existsSync(gone)).toBe(false);
    expect(c.infos).toEqual([`Removed ${gone}`]);
  });

  it('never rejects, even when reading the state throws', async () => {
    const c = fakeCore();
    c.getState = () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error on purpose
      throw 'state file unreadable';
    };
    await expect(runPost({ core: c })).resolves.toBeUndefined();
    expect(c.warnings).toEqual(['Cleanup failed: state file unreadable']);
  });
});
