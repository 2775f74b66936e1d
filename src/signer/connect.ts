/** Opens the registry and trust-server clients for one repository (GUN). */
import type { HttpClient } from '../http/client.js';
import { NotaryClient, trustServerFor } from '../notary/client.js';
import { registryCredentials } from '../registry/credentials.js';
import { RegistryClient } from '../registry/client.js';
import type { ImageRef } from '../registry/reference.js';
import type { ConnectionOptions } from './types.js';

export interface RepoConnection {
  gun: string;
  server: string;
  notary: NotaryClient;
  registry: RegistryClient;
}

export async function connectRepo(
  ref: ImageRef,
  opts: ConnectionOptions & { http: HttpClient; write: boolean; onSecret?: (s: string) => void },
): Promise<RepoConnection> {
  const server = trustServerFor(ref, opts.trustServer);
  // The trust server's token service takes the registry's credentials (notary-spec.md §5.5).
  const credentials = await registryCredentials(ref.registry, {
    username: opts.username,
    password: opts.password,
    dockerConfigDir: opts.dockerConfigDir,
  });
  const common = { http: opts.http, credentials, onSecret: opts.onSecret };
  return {
    gun: ref.gun,
    server,
    notary: new NotaryClient({ ...common, server, gun: ref.gun, write: opts.write }),
    registry: new RegistryClient(common),
  };
}
