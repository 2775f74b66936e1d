/**
 * `dct inspect [--pretty] IMAGE[:TAG]...` (CLI.md): `docker trust inspect`'s JSON or text for
 * each repository, read and verified as `sign` reads it (fail-closed, with docker's TUF cache
 * as the trusted state), plus each role's version and expiry.
 */
import { daysLeft, roleHealth, warnIfExpiring, type RoleHealth } from '../../signer/health.js';
import { DctError, describeError, isDctError } from '../../errors.js';
import { HttpClient } from '../../http/client.js';
import { parseRepositoryRef, type RepositoryRef } from '../../registry/reference.js';
import { connectRepo } from '../../signer/connect.js';
import {
  dockerTrustJson,
  formatInspectJson,
  formatTable,
  naturalLess,
  REPO_ADMIN,
  trustInfo,
  type TrustInfo,
} from '../../signer/inspect.js';
import { loadRepo, saveTrust, warnIfRootExpiring } from '../../signer/publish.js';
import type { TrustedRepo } from '../../tuf/repo.js';
import type { CliContext } from '../context.js';
import { register } from '../registry.js';
import { booleanFlag } from '../args.js';

/** Docker's text for a repository it cannot read; our reason follows it. */
export const NO_SIGNATURES = 'no signatures or cannot access';

/**
 * Loads and verifies each named repository once (several tags of one repository share the
 * read), read-only, and keeps what was trusted in the TUF cache. Resolves per input to the
 * repository or the error that stopped it.
 */
export type Loaded = { ref: RepositoryRef; repo: TrustedRepo } | { error: unknown };

export async function loadRepositories(
  ctx: CliContext,
  inputs: string[],
): Promise<Map<string, Loaded>> {
  const opts = ctx.connection(inputs);
  const http = new HttpClient({
    caPem: opts.caPem,
    timeoutMs: opts.timeoutMs,
    requestLog: opts.requestLog,
  });
  const byGun = new Map<string, Promise<TrustedRepo>>();
  const load = async (ref: RepositoryRef): Promise<TrustedRepo> => {
    const conn = await connectRepo(ref, { ...opts, http, write: false });
    const repo = await loadRepo({ conn, rootKeyIds: [] }, await ctx.tufStore.load(conn.gun));
    warnIfRootExpiring(repo, ctx.log, ctx.now());
    warnIfExpiring(repo, ctx.log, { now: ctx.now() });
    await saveTrust({ conn, trustStore: ctx.tufStore, log: ctx.log }, repo);
    return repo;
  };
  try {
    const results = await Promise.all(
      inputs.map(async (input) => {
        try {
          const ref = parseRepositoryRef(input);
          let pending = byGun.get(ref.gun);
          if (pending === undefined) {
            pending = load(ref);
            byGun.set(ref.gun, pending);
          }
          return [input, { ref, repo: await pending }] as [string, Loaded];
        } catch (error) {
          return [input, { error }] as [string, Loaded];
        }
      }),
    );
    return new Map(results);
  } finally {
    await http.close();
  }
}

/** One line per repository that could not be inspected, docker's words first. */
function failureLine(input: string, error: unknown): string {
  // The flows' advice on creating a repository speaks of the action; the server and the
  // repository it lacks are what matter here.
  const reason = isDctError(error, 'REPO_NOT_FOUND')
    ? error.message.split(';')[0]
    : describeError(error);
  return `${NO_SIGNATURES} ${input}: ${reason}`;
}

/**
 * Docker's `--pretty` text for one repository, then its trust health: each role's version,
 * expiry, days left and signing keys (or the trust server, for the roles it renews).
 */
export function prettyText(
  name: string,
  info: TrustInfo,
  health: RoleHealth[] = [],
  now: Date = new Date(),
): string {
  let out = '';
  if (info.signedTags.length > 0) {
    out += `\nSignatures for ${name}\n\n`;
    out += formatTable([
      ['SIGNED TAG', 'DIGEST', 'SIGNERS'],
      ...info.signedTags.map((t) => [
        t.SignedTag,
        t.Digest,
        t.Signers.length > 0 ? [...t.Signers].sort(byteOrder).join(', ') : `(${REPO_ADMIN})`,
      ]),
    ]);
  } else {
    out += `\nNo signatures for ${name}\n\n`;
  }
  if (info.signers.length > 0) {
    out += `\nList of signers and their keys for ${name}\n\n`;
    const signers = [...info.signers].sort((a, b) =>
      naturalLess(a.Name, b.Name) ? -1 : naturalLess(b.Name, a.Name) ? 1 : 0,
    );
    out += formatTable([
      ['SIGNER', 'KEYS'],
      ...signers.map((s) => [
        s.Name,
        s.Keys.map((k) => k.ID)
          .sort(byteOrder)
          .map((id) => id.slice(0, 12))
          .join(', '),
      ]),
    ]);
  }
  out += `\nAdministrative keys for ${name}\n\n`;
  // docker lists the targets role ("Repository Key") before root.
  for (const admin of [...info.administrativeKeys].reverse()) {
    const label = admin.Name === 'Root' ? 'Root Key' : 'Repository Key';
    out += `  ${label}:\t${admin.Keys.map((k) => k.ID)
      .sort(byteOrder)
      .join(', ')}\n`;
  }
  out += `\nRole versions and expiry for ${name}\n\n`;
  const byRole = new Map(health.map((h) => [h.role, h]));
  out += formatTable([
    ['ROLE', 'VERSION', 'EXPIRES', 'DAYS LEFT', 'SIGNED BY'],
    ...info.roles.map((r) => {
      const h = byRole.get(r.role);
      const by =
        h === undefined
          ? '?'
          : h.serverManaged
            ? 'the trust server'
            : h.keyIds.map((id) => id.slice(0, 12)).join(', ');
      return [r.role, String(r.version), r.expires, String(daysLeft(r.expires, now)), by];
    }),
  ]);
  return out;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

register({
  name: 'inspect',
  usage: 'IMAGE[:TAG] [IMAGE[:TAG]...]',
  summary: 'Return low-level information about keys and signatures',
  flags: [booleanFlag('pretty', 'Print the information in a human friendly format')],
  args: { min: 1 },
  async run(ctx, { args, booleans }) {
    const loaded = await loadRepositories(ctx, args);
    const failures: string[] = [];
    const shown: { name: string; info: TrustInfo; health: RoleHealth[] }[] = [];
    for (const input of args) {
      const r = loaded.get(input)!;
      if ('error' in r) {
        failures.push(failureLine(input, r.error));
        continue;
      }
      shown.push({ name: input, info: trustInfo(r.repo, r.ref.tag), health: roleHealth(r.repo) });
    }
    if (booleans.has('pretty')) {
      ctx.io.stdout(shown.map((s) => prettyText(s.name, s.info, s.health, ctx.now())).join('\n\n'));
    } else {
      ctx.io.stdout(formatInspectJson(shown.map((s) => dockerTrustJson(s.name, s.info))));
    }
    if (failures.length > 0) {
      for (const line of failures.slice(0, -1)) ctx.err(line);
      throw new DctError('INSPECT_FAILED', failures[failures.length - 1]);
    }
  },
});
