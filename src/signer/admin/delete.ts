/**
 * `delete --remote`: the seed's "reset the repository state" after a lost root key. The server
 * forgets every piece of trust data of the repository (`DELETE …/_trust/tuf/`, notary-spec.md
 * §5.1); whoever trusted its old root must then forget it too, which the result spells out.
 */
import { withRepository } from './repo.js';
import type { DeleteRemoteOptions, DeleteRemoteResult } from './types.js';

export async function deleteRemoteTrust(opts: DeleteRemoteOptions): Promise<DeleteRemoteResult> {
  return withRepository(opts, async (conn) => {
    const had = (await conn.notary.fetch('root')) !== undefined;
    await conn.notary.deleteTrustData();
    const gun = conn.gun;
    opts.log.info(
      had
        ? `${gun}: deleted the trust data on ${conn.server}`
        : `${gun}: ${conn.server} had no trust data to delete`,
    );
    return {
      gun,
      server: conn.server,
      hadTrustData: had,
      consumerSteps: had ? consumerSteps(gun) : [],
    };
  });
}

/**
 * A new root cannot be chained to the old one, so every client that remembers the old root
 * refuses the re-created repository ("could not rotate trust to a new trusted root") until it
 * forgets it (notary-spec.md §7.3).
 */
function consumerSteps(gun: string): string[] {
  return [
    `Re-create the repository (\`dct signer add --key NAME.pub NAME ${gun}\`) and sign again every tag that must stay trusted: the old signatures are gone.`,
    `Docker and dct users who pulled or signed ${gun}: delete ~/.docker/trust/tuf/${gun} (or $DOCKER_CONFIG/trust/tuf/${gun}); until then they get "could not rotate trust to a new trusted root".`,
    `notary CLI users: \`notary delete ${gun}\` (local data only) before the next \`notary list\`.`,
    'Workflows using this action: delete their Actions cache entries whose key starts with dct-trust- (`gh cache delete`).',
    'Anyone pinning the old root key ID (`root-key-ids`, notary `trust_pinning`): pin the new root key ID.',
  ];
}
