/**
 * `dct refresh [--expires-within DURATION] REPO...` (CLI.md): re-signs what the keys of the
 * key directory can sign and what expires within the window (default 90 days), as the
 * action's `command: refresh` does. Root keys take part only when the root passphrase is in
 * DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE: a scheduled job should not stop to ask for it.
 */
import { ImagesError, type ImageFailure } from '../../errors.js';
import type { KeyRing } from '../../keys/keyring.js';
import { parseRepositoryRef } from '../../registry/reference.js';
import { daysLeft } from '../../signer/health.js';
import { parseDuration, refreshRepositories, type RefreshResult } from '../../signer/refresh.js';
import { imageFailure } from '../../signer/images.js';
import { ROOT_PASSPHRASE_VAR, type CliContext } from '../context.js';
import { register } from '../registry.js';
import { valueFlag } from '../args.js';

function report(ctx: CliContext, r: RefreshResult, window: string): void {
  if (r.refreshed.length === 0) {
    ctx.err(`${r.gun}: nothing the keys can sign expires within ${window}`);
  }
  for (const role of r.refreshed) {
    ctx.out(`${r.gun}\t${role.role}\tversion ${role.version}\texpires ${role.expires}`);
  }
  const now = ctx.now();
  for (const role of r.roles) {
    if (r.refreshed.some((x) => x.role === role.role)) continue;
    const left = daysLeft(role.expires, now);
    ctx.log.debug(
      `${r.gun}: ${role.role} v${role.version} expires ${role.expires} (${left} days)${role.serverManaged ? ', renewed by the server' : ''}`,
    );
  }
}

register({
  name: 'refresh',
  usage: 'REPOSITORY...',
  summary: 'Re-sign the roles your keys can sign that expire soon (trust data that never expires)',
  flags: [
    valueFlag(
      'string',
      'expires-within',
      'duration',
      'Re-sign what expires within this long: hours, days or weeks (default 90d)',
    ),
  ],
  args: { min: 1 },
  async run(ctx, { args, strings }) {
    const window = strings.get('expires-within') ?? '90d';
    const expiresWithinMs = parseDuration(window, '--expires-within');
    const withRoot = Boolean(ctx.env[ROOT_PASSPHRASE_VAR]);
    const failures: ImageFailure[] = [];
    // One repository at a time, each with its own keys: another repository's keys, perhaps
    // under another passphrase, are never opened for it.
    for (const repository of args) {
      let keys: KeyRing | undefined;
      try {
        const gun = parseRepositoryRef(repository).gun;
        keys = await ctx.openKeys(withRoot ? 'all' : 'signing', gun);
        const [result] = await refreshRepositories({
          ...ctx.connection([repository]),
          repositories: [repository],
          keys,
          expiresWithinMs,
          trustStore: ctx.tufStore,
          log: ctx.log,
          now: ctx.now,
        });
        if (result !== undefined) report(ctx, result, window);
      } catch (e) {
        if (e instanceof ImagesError) failures.push(...e.failures);
        else failures.push(imageFailure(repository, e));
      } finally {
        keys?.dispose();
      }
    }
    if (failures.length > 0) throw new ImagesError(failures);
  },
});
