/**
 * What main leaves for post: a flag that main ran and the temp paths it created. Nothing
 * secret is ever stored here (state files are plain text on the runner).
 */
import { isAbsolute, parse } from 'node:path';

export interface StateApi {
  saveState(name: string, value: string): void;
  getState(name: string): string;
}

const MAIN_RAN = 'isPost';
const PATHS = 'tempPaths';

/** Main's side: each call rewrites the whole list, since a later value of a key wins. */
export class MainState {
  private readonly paths: string[] = [];

  constructor(private readonly api: StateApi) {}

  markRan(): void {
    this.api.saveState(MAIN_RAN, 'true');
  }

  /** Record a path BEFORE creating it, so post wipes it even if main dies halfway. */
  recordPath(path: string): void {
    if (this.paths.includes(path)) return;
    this.paths.push(path);
    this.api.saveState(PATHS, JSON.stringify(this.paths));
  }
}

export interface PostState {
  mainRan: boolean;
  paths: string[];
  /** Entries of the stored list that were dropped, and why (post reports them). */
  problems: string[];
}

/**
 * Post's side. Tolerates a missing or damaged state: only absolute paths that are not a
 * filesystem root are returned, so a garbled entry can never widen what post deletes.
 */
export function readPostState(api: StateApi): PostState {
  const mainRan = api.getState(MAIN_RAN) === 'true';
  const stored = api.getState(PATHS);
  const problems: string[] = [];
  const paths: string[] = [];
  if (stored === '') return { mainRan, paths, problems };
  let list: unknown;
  try {
    list = JSON.parse(stored);
  } catch {
    return { mainRan, paths, problems: ['the recorded temp paths are not valid JSON'] };
  }
  if (!Array.isArray(list)) {
    return { mainRan, paths, problems: ['the recorded temp paths are not a list'] };
  }
  for (const p of list) {
    if (typeof p === 'string' && isAbsolute(p) && parse(p).root !== p) paths.push(p);
    else problems.push(`ignored recorded path ${JSON.stringify(p)}: not an absolute path`);
  }
  return { mainRan, paths, problems };
}
