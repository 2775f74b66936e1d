import * as core from '@actions/core';

export async function runMain(): Promise<void> {
  core.info('main');
  await Promise.resolve();
}
