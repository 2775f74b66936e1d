/**
 * `dct delete --remote REPO` (CLI.md, notary's `delete --remote`): the seed's "reset the
 * repository state" after a lost root key. The server's trust data goes, the local TUF cache
 * of the repository is forgotten, and what every consumer must do is printed.
 */
import { dirname } from 'node:path';
import { DctError } from '../../errors.js';
import { trustServerFor } from '../../notary/client.js';
import { parseRepositoryRef } from '../../registry/reference.js';
import { deleteRemoteTrust } from '../../signer/admin/index.js';
import { register } from '../registry.js';
import { booleanFlag } from '../args.js';

register({
  name: 'delete',
  usage: 'REPOSITORY',
  summary: "Delete a repository's trust data on the server (after a lost root key)",
  flags: [
    booleanFlag(
      'remote',
      "Delete the server's trust data (required: that is all this command does)",
    ),
    booleanFlag('yes', 'Do not ask for confirmation', 'y'),
  ],
  args: { min: 1, max: 1 },
  async run(ctx, { args, booleans }) {
    const repo = args[0];
    const ref = parseRepositoryRef(repo);
    const local = dirname(ctx.tufStore.metadataDir(ref.gun));
    if (!booleans.has('remote')) {
      throw new DctError(
        'CLI_USAGE',
        `dct delete deletes the trust data of ${ref.gun} on the server and needs --remote to say so; nothing was deleted (to forget only the local copy, remove ${local})`,
      );
    }
    const server = new URL(trustServerFor(ref, ctx.trustServer)).host;
    if (!booleans.has('yes')) {
      const answer = await ctx.confirm(
        `Delete all trust data of ${ref.gun} on ${server}? Every signature is lost and every consumer must forget its root`,
      );
      if (answer === undefined) {
        throw new DctError(
          'CONFIRMATION_NEEDED',
          `deleting the trust data of ${ref.gun} on ${server} needs a confirmation and there is no terminal to ask on; give --yes; nothing was deleted`,
        );
      }
      if (!answer) {
        ctx.out('');
        ctx.out('Aborting action.');
        return;
      }
    }
    const out = await deleteRemoteTrust({
      ...ctx.connection([repo]),
      repository: repo,
      log: ctx.log,
      now: ctx.now,
    });
    await ctx.tufStore.forget(out.gun);
    if (!out.hadTrustData) {
      ctx.out(`${server} had no trust data for ${out.gun}; forgot the local copy (${local})`);
      return;
    }
    ctx.out(`Successfully deleted the trust data of ${out.gun} on ${server}`);
    ctx.out(`Forgot the local copy (${local})`);
    ctx.out('');
    ctx.out('What consumers must do now:');
    for (const step of out.consumerSteps) ctx.out(`- ${step}`);
  },
});
