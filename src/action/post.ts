import * as core from '@actions/core';

export async function runPost(): Promise<void> {
  core.info('post');
  await Promise.resolve();
}
