/**
 * The post step: wipe every temp path main recorded. Best effort and idempotent, like
 * actions/checkout's cleanup: it reports, warns on trouble, and never fails the job.
 */
import * as core from '@actions/core';
import { lstat, rm } from 'node:fs/promises';
import { describeError } from '../errors.js';
import { readPostState, type StateApi } from './state.js';

export interface PostCore extends StateApi {
  info(message: string): void;
  warning(message: string): void;
}

export interface PostDeps {
  core: PostCore;
  remove(path: string): Promise<void>;
}

const defaults: PostDeps = {
  core,
  remove: (path) => rm(path, { recursive: true, force: true }),
};

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export async function runPost(deps: Partial<PostDeps> = {}): Promise<void> {
  const { core: c, remove } = { ...defaults, ...deps };
  try {
    const state = readPostState(c);
    for (const p of state.problems) c.warning(`Cleanup: ${p}`);
    if (!state.mainRan) {
      c.info('The main step did not run; nothing to clean up.');
      return;
    }
    if (state.paths.length === 0) {
      c.info('The main step left no temp files; nothing to clean up.');
      return;
    }
    for (const path of state.paths) {
      try {
        const present = await exists(path);
        await remove(path);
        c.info(present ? `Removed ${path}` : `Already gone: ${path}`);
      } catch (e) {
        c.warning(`Could not remove ${path}: ${describeError(e)}`);
      }
    }
  } catch (e) {
    // Post must never fail the job: whatever went wrong is a warning.
    c.warning(`Cleanup failed: ${describeError(e)}`);
  }
}
