/** Opens the registry and trust-server clients for one repository (GUN). */
import { DctError, ImagesError } from '../errors.js';
import { HttpClient } from '../http/client.js';
import { NotaryClient, trustServerFor } from '../notary/client.js';
import { registryCredentials } from '../registry/credentials.js';
import { RegistryClient } from '../registry/client.js';
import type { ImageRef } from '../registry/reference.js';
import { forEachGroup, groupImages, type GunGroup } from './images.js';
import type { ConnectionOptions } from './types.js';

export interface RepoConnection {
  gun: string;
  server: string;
  /** Whether `server` was given (input or env), not derived from the registry (docker's rule). */
  serverGiven: boolean;
  notary: NotaryClient;
  registry: RegistryClient;
}

export async function connectRepo(
  ref: Pick<ImageRef, 'registry' | 'gun'>,
  opts: ConnectionOptions & { http: HttpClient; write: boolean },
): Promise<RepoConnection> {
  const server = trustServerFor(ref, opts.trustServer);
  // The trust server's token service takes the registry's credentials (notary-spec.md §5.5).
  const credentials = await registryCredentials(ref.registry, {
    username: opts.username,
    password: opts.password,
    dockerConfigDir: opts.dockerConfigDir,
    exec: opts.execCredentialHelper,
  });
  if (credentials !== undefined) {
    // A helper's or config file's secret was not an input, so nothing has masked it yet.
    opts.onSecret?.(credentials.password);
    if (credentials.identityToken !== undefined) opts.onSecret?.(credentials.identityToken);
  }
  const common = { http: opts.http, credentials, onSecret: opts.onSecret };
  return {
    gun: ref.gun,
    server,
    serverGiven: opts.trustServer !== undefined && opts.trustServer.trim() !== '',
    notary: new NotaryClient({ ...common, server, gun: ref.gun, write: opts.write }),
    registry: new RegistryClient({ ...common, insecureRegistries: opts.insecureRegistries }),
  };
}

/**
 * The skeleton every command shares: parse and group the images (a bad reference stops the
 * run before anything is published), one HTTP client for the run, each repository at once,
 * then one ImagesError naming every failed image, with what succeeded in `done`.
 * With `prepare`, every repository is prepared (e.g. its tags resolved) before any runs, and
 * a failure in one stops them all: a run never publishes some repositories and not others
 * for a reason that was knowable up front.
 */
export async function perRepository<T, P = undefined>(
  opts: ConnectionOptions & { images: string[] },
  write: boolean,
  run: (conn: RepoConnection, group: GunGroup, prepared: P) => Promise<T[]>,
  prepare?: (conn: RepoConnection, group: GunGroup) => Promise<P>,
): Promise<T[]> {
  const { groups, failures } = groupImages(opts.images);
  if (failures.length > 0) throw new ImagesError(failures);
  // One pair of credentials is for one registry: never send one registry's token to another.
  const registries = [...new Set(groups.map((g) => g.refs[0].registry))];
  if ((opts.username !== undefined || opts.password !== undefined) && registries.length > 1) {
    throw new DctError(
      'CREDENTIALS_AMBIGUOUS',
      `\`registry-username\`/\`registry-password\` are for one registry, but \`images\` names ${registries.join(', ')}; log in to each with docker/login-action and leave them empty, or sign each registry in its own step`,
    );
  }
  const http = new HttpClient({
    caPem: opts.caPem,
    timeoutMs: opts.timeoutMs,
    requestLog: opts.requestLog,
  });
  try {
    const connect = (group: GunGroup) => connectRepo(group.refs[0], { ...opts, http, write });
    if (prepare === undefined) {
      const { done, failures: failed } = await forEachGroup(groups, async (group) =>
        run(await connect(group), group, undefined as P),
      );
      if (failed.length > 0) throw new ImagesError(failed, done);
      return done;
    }
    const ready = new Map<string, { conn: RepoConnection; prepared: P }>();
    const first = await forEachGroup(groups, async (group) => {
      const conn = await connect(group);
      ready.set(group.gun, { conn, prepared: await prepare(conn, group) });
      return [];
    });
    if (first.failures.length > 0) {
      const failed = new Set(first.failures.map((f) => f.image));
      const held = groups
        .flatMap((g) => g.refs)
        .filter((r) => !failed.has(r.input))
        .map((r) => ({
          image: r.input,
          code: 'NOT_PUBLISHED',
          message: 'not signed because another image of this run failed',
        }));
      throw new ImagesError([...first.failures, ...held]);
    }
    const { done, failures: failed } = await forEachGroup(groups, (group) => {
      const { conn, prepared } = ready.get(group.gun)!;
      return run(conn, group, prepared);
    });
    if (failed.length > 0) throw new ImagesError(failed, done);
    return done;
  } finally {
    await http.close();
  }
}
