/**
 * `dct signer add|remove` (CLI.md), `docker trust signer` over the administration flows of
 * src/signer/admin: each repository on its own, one after the other as docker did, one error
 * line per repository that failed. `signer add` on a repository without trust data creates it
 * with the directory's root key (or a new one) and a new repository key.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { DctError, ImagesError, isDctError, type ImageFailure } from '../../errors.js';
import {
  addSigner,
  parseSignerKeys,
  removeSigner,
  validateSignerName,
  type SignerKey,
} from '../../signer/admin/index.js';
import { parseRepositoryRef } from '../../registry/reference.js';
import { imageFailure } from '../../signer/images.js';
import type { AdminOptions } from '../../signer/admin/index.js';
import type { KeyRing } from '../../keys/keyring.js';
import type { CliContext } from '../context.js';
import { newRepositoryKeys } from '../newkeys.js';
import { register } from '../registry.js';
import { booleanFlag, valueFlag } from '../args.js';

/** What every flow takes from the command line's context, for one repository. */
export function adminOptions(ctx: CliContext, repository: string): AdminOptions {
  return {
    ...ctx.connection([repository]),
    repository,
    log: ctx.log,
    trustStore: ctx.tufStore,
    now: ctx.now,
  };
}

/** One repository's part of a command: its flow's options come with its signing keys open. */
type Each = (repo: string, gun: string, opened: AdminOptions & { keys: KeyRing }) => Promise<void>;

/**
 * Runs `fn` for each repository in turn, with the flow's options and the repository's signing
 * keys open (disposed after, whatever happened), `what` said first; afterwards one failure line per repository.
 */
async function eachRepository(
  ctx: CliContext,
  repos: string[],
  what: (repo: string) => string,
  fn: Each,
): Promise<void> {
  const failures: ImageFailure[] = [];
  const seen = new Set<string>();
  for (const repo of repos) {
    try {
      const gun = parseRepositoryRef(repo).gun;
      if (seen.has(gun)) continue;
      seen.add(gun);
      ctx.out(what(repo));
      const keys = await ctx.openKeys('signing', gun);
      try {
        await fn(repo, gun, { ...adminOptions(ctx, repo), keys });
      } finally {
        keys.dispose();
      }
    } catch (e) {
      failures.push(imageFailure(repo, e));
    }
  }
  if (failures.length > 0) throw new ImagesError(failures);
}

/** The signer's public keys from the `--key` files, each read as docker read it. */
async function readSignerKeys(ctx: CliContext, files: string[]): Promise<SignerKey[]> {
  const keys: SignerKey[] = [];
  for (const file of files) {
    const path = isAbsolute(file) ? file : join(ctx.io.cwd, file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new DctError('FILE_UNREADABLE', `cannot read the public key file ${file}`, {
        cause: e,
      });
    }
    for (const k of parseSignerKeys(text, file, ctx.now())) {
      if (!keys.some((x) => x.id === k.id)) keys.push(k);
    }
  }
  return keys;
}

register({
  name: 'signer add',
  usage: 'NAME REPOSITORY [REPOSITORY...]',
  summary: 'Add a signer',
  flags: [valueFlag('list', 'key', 'list', "Path to the signer's public key file")],
  args: { min: 2 },
  async run(ctx, { args, lists }) {
    const [name, ...repos] = args;
    validateSignerName(name);
    const files = lists.get('key') ?? [];
    if (files.length === 0) {
      throw new DctError(
        'SIGNER_KEY_MISSING',
        'path to a public key must be provided using the `--key` flag',
      );
    }
    const signerKeys = await readSignerKeys(ctx, files);
    const add: Each = async (repo, gun, opened) => {
      const out = await addSigner({
        ...opened,
        name,
        signerKeys,
        newRepository: newRepositoryKeys(ctx, gun, () =>
          ctx.out(`Initializing signed repository for ${repo}...`),
        ),
      });
      if (out.initialized !== undefined) {
        ctx.out(`Successfully initialized "${repo}"`);
        ctx.out(`Root key ID: ${out.initialized.rootKeyId}`);
        ctx.out(`Repository key ID: ${out.initialized.repositoryKeyId}`);
      }
      ctx.out(`Successfully added signer: ${name} to ${repo}`);
      ctx.out('');
    };
    await eachRepository(ctx, repos, (repo) => `Adding signer "${name}" to ${repo}...`, add);
  },
});

register({
  name: 'signer remove',
  usage: 'NAME REPOSITORY [REPOSITORY...]',
  summary: 'Remove a signer',
  flags: [
    booleanFlag(
      'force',
      'Do not prompt for confirmation before removing the most recent signer',
      'f',
    ),
  ],
  args: { min: 2 },
  async run(ctx, { args, booleans }) {
    const [name, ...repos] = args;
    if (name !== 'releases') validateSignerName(name);
    const force = booleans.has('force');
    const remove: Each = async (repo, _gun, opened) => {
      const out = await removeSigner({
        ...opened,
        name,
        force,
        ...(ctx.io.terminal !== undefined
          ? { confirm: async (q: string) => (await ctx.confirm(q)) === true }
          : {}),
      }).catch((e: unknown) => {
        if (isDctError(e, 'SIGNER_LAST_RELEASES')) {
          throw new DctError(
            e.code,
            `${e.message.replace(/ \(force it to remove anyway\)$/, '')}; there is no terminal to ask on: give --force to remove it anyway`,
            { cause: e },
          );
        }
        throw e;
      });
      if (!out.removed) {
        ctx.out('');
        ctx.out('Aborting action.');
        return;
      }
      ctx.out(`Successfully removed ${name} from ${repo}`);
      ctx.out('');
    };
    await eachRepository(ctx, repos, (repo) => `Removing signer "${name}" from ${repo}...`, remove);
  },
});
