/**
 * The post step and the state it reads, at the edges StrykerJS found untested: damaged
 * entries are reported and the valid ones are still wiped, a main that ran but recorded
 * nothing, a stored value that is JSON but not a list, the state keys and what is kept in
 * them (only the flag and paths, never a secret), and a path removed whatever its kind.
 */
import { lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPost } from '../../src/action/post.js';
import { MainState, readPostState } from '../../src/action/state.js';

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
  root = await mkdtemp(join(tmpdir(), 'dct-post-m-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('MainState', () => {
  it('stores the flag and the paths under the keys post reads, and nothing else', () => {
    const c = fakeCore();
    const s = new MainState(c);
    s.markRan();
    expect([...c.state.entries()]).toEqual([['isPost', 'true']]);
    s.recordPath('/tmp/one');
    // Each call rewrites the whole list: the state file keeps the last value of a key.
    expect(c.state.get('tempPaths')).toBe('["/tmp/one"]');
    s.recordPath('/tmp/two');
    expect(c.state.get('tempPaths')).toBe('["/tmp/one","/tmp/two"]');
    expect([...c.state.keys()].sort()).toEqual(['isPost', 'tempPaths']);
  });
});

describe('readPostState', () => {
  it('reads a flag that is not exactly "true" as main not having run', () => {
    expect(readPostState(fakeCore({ isPost: 'TRUE' })).mainRan).toBe(false);
    expect(readPostState(fakeCore({ isPost: 'true' })).mainRan).toBe(true);
    expect(readPostState(fakeCore()).mainRan).toBe(false);
  });

  it('refuses JSON that is not a list, even a string that is itself a path', () => {
    for (const stored of ['"/tmp/x"', '{"0":"/tmp/x"}', '7', 'null']) {
      expect(readPostState(fakeCore({ isPost: 'true', tempPaths: stored }))).toEqual({
        mainRan: true,
        paths: [],
        problems: ['the recorded temp paths are not a list'],
      });
    }
  });

  it('names each ignored entry as JSON', () => {
    const s = readPostState(fakeCore({ tempPaths: JSON.stringify(['rel/x', '/', null]) }));
    expect(s.problems).toEqual([
      'ignored recorded path "rel/x": not an absolute path',
      'ignored recorded path "/": not an absolute path',
      'ignored recorded path null: not an absolute path',
    ]);
    expect(s.paths).toEqual([]);
  });
});

describe('runPost', () => {
  it('warns about each damaged entry and still wipes the valid ones', async () => {
    const keep = join(root, 'secret-dir');
    await mkdir(keep);
    await writeFile(join(keep, 'key.pem'), 'PRIVATE');
    const c = fakeCore({ isPost: 'true', tempPaths: JSON.stringify(['relative', keep]) });
    await runPost({ core: c });
    expect(existsSync(keep)).toBe(false);
    expect(c.warnings).toEqual(['Cleanup: ignored recorded path "relative": not an absolute path']);
    expect(c.infos).toEqual([`Removed ${keep}`]);
  });

  it('reports a damaged state even when main did not run', async () => {
    const c = fakeCore({ tempPaths: '{' });
    await runPost({ core: c });
    expect(c.warnings).toEqual(['Cleanup: the recorded temp paths are not valid JSON']);
    expect(c.infos).toEqual(['The main step did not run; nothing to clean up.']);
  });

  it('says so when main ran but recorded no path', async () => {
    const removed: string[] = [];
    const c = fakeCore();
    new MainState(c).markRan();
    await runPost({ core: c, remove: (p) => Promise.resolve(void removed.push(p)) });
    expect(c.infos).toEqual(['The main step left no temp files; nothing to clean up.']);
    expect(c.warnings).toEqual([]);
    expect(removed).toEqual([]);
  });

  it('removes nothing when main did not run, even with paths recorded', async () => {
    const dir = join(root, 'left');
    await mkdir(dir);
    const c = fakeCore({ tempPaths: JSON.stringify([dir]) });
    await runPost({ core: c });
    expect(existsSync(dir)).toBe(true);
  });

  it('removes a symlink itself, not what it points to, and reports it as present', async () => {
    const target = join(root, 'target');
    const link = join(root, 'link');
    await mkdir(target);
    await writeFile(join(target, 'keep.txt'), 'x');
    await symlink(join(root, 'missing'), join(root, 'dangling'));
    await symlink(target, link);
    const c = fakeCore();
    const s = new MainState(c);
    s.markRan();
    s.recordPath(link);
    s.recordPath(join(root, 'dangling'));
    await runPost({ core: c });
    expect(existsSync(link)).toBe(false);
    expect(existsSync(join(target, 'keep.txt'))).toBe(true);
    // lstat sees a dangling link: it was there, and is removed.
    expect(c.infos).toEqual([`Removed ${link}`, `Removed ${join(root, 'dangling')}`]);
    expect(await lstat(join(root, 'dangling')).catch(() => 'gone')).toBe('gone');
  });
});
