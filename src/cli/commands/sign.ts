/**
 * `dct sign IMAGE:TAG` and `dct revoke [--yes] IMAGE[:TAG]` (CLI.md): the action's sign and
 * revoke flows with the signer keys of the key directory, docker's TUF cache as the trusted
 * state, and docker's messages. `sign` signs the digest the registry holds for the tag: no
 * daemon, no local image.
 */
import { DctError, ImagesError, reasonOf, type ImageFailure } from '../../errors.js';
import { shortId } from '../../keys/keyid.js';
import type { KeyRing } from '../../keys/keyring.js';
import { parseImageRef, parseRepositoryRef, type RepositoryRef } from '../../registry/reference.js';
import { revokeImages } from '../../signer/revoke.js';
import { rolesForTag, signableRoles } from '../../signer/roles.js';
import { signImages } from '../../signer/sign.js';
import type { Logger, SignedTag } from '../../signer/types.js';
import type { CliContext } from '../context.js';
import { register } from '../registry.js';
import { loadRepositories } from './inspect.js';
import { booleanFlag } from '../args.js';

/**
 * An IMAGE[:TAG] argument: docker's grammar; a digest only after a tag (`name:tag@sha256:…`
 * pins what the tag must hold), never instead of one.
 */
function parseImageArg(input: string): RepositoryRef {
  const at = input.indexOf('@');
  const ref = parseRepositoryRef(at >= 0 ? input.slice(0, at) : input);
  if (at >= 0) {
    if (ref.tag === undefined) {
      throw new DctError(
        'IMAGE_REF_INVALID',
        `cannot use a digest reference for IMAGE:TAG (${input}); name the tag`,
      );
    }
    parseImageRef(input); // the digest's own form
  }
  return ref;
}

/** The flows report each tag as it goes; the command prints docker's lines instead. */
function flowLog(ctx: CliContext): Logger {
  return {
    info: (m) => ctx.log.debug(m),
    warning: (m) => ctx.log.warning(m),
    debug: (m) => ctx.log.debug(m),
  };
}

/** The flows' advice names the action's inputs; on the command line it is the key directory. */
function cliFailures(ctx: CliContext, e: unknown, keys: KeyRing): unknown {
  const held = keys.ids().map(shortId).join(', ');
  const reword = (code: string, message: string): string => {
    if (code === 'NO_SIGNING_KEYS') {
      return message.replace(
        /; the keys given have IDs .*$/,
        `; the key directory ${ctx.keyStore.dir} holds ${held === '' ? 'no signing key for it' : `keys ${held}`}. ` +
          "Load a signer's key (`dct key load`) or have yours added (`dct signer add`)",
      );
    }
    if (code === 'REPO_NOT_FOUND') {
      return message.replace(
        /; create the repository first.*$/,
        '; create it first (`dct signer add --key NAME.pub NAME REPOSITORY`)',
      );
    }
    return message;
  };
  if (e instanceof ImagesError) {
    // The line names the image already; a repository-wide reason need not name it again.
    const failures: ImageFailure[] = e.failures.map((f) => ({
      ...f,
      message: reword(f.code, reasonOf(f)),
    }));
    return new ImagesError(failures, e.done);
  }
  if (e instanceof DctError) {
    const message = reword(e.code, e.message);
    return message === e.message ? e : new DctError(e.code, message, { cause: e });
  }
  return e;
}

register({
  name: 'sign',
  usage: 'IMAGE:TAG',
  summary: 'Sign an image (the digest the registry holds for the tag)',
  flags: [
    booleanFlag(
      'cosign',
      'Also write a cosign signature of the digest with the same signer key, as the action does with cosign: true',
    ),
  ],
  args: { min: 1, max: 1 },
  async run(ctx, { args, booleans }) {
    const input = args[0];
    const ref = parseImageArg(input);
    if (ref.tag === undefined) {
      throw new DctError(
        'IMAGE_REF_INVALID',
        `no tag specified for ${input}; dct sign signs a tag: IMAGE:TAG`,
      );
    }
    const keys = await ctx.openKeys('signing', ref.gun);
    const cosign = booleans.has('cosign');
    let signed: SignedTag[];
    try {
      signed = await signImages({
        ...ctx.connection([input]),
        images: [input],
        keys,
        signers: [],
        rootKeyIds: [],
        trustStore: ctx.tufStore,
        log: flowLog(ctx),
        ...(cosign ? { cosign: {} } : {}),
      });
    } catch (e) {
      throw cliFailures(ctx, e, keys);
    } finally {
      keys.dispose();
    }
    ctx.out(`Signing and pushing trust metadata for ${input}`);
    ctx.out(`Successfully signed ${ref.gun}:${ref.tag}`);
    if (cosign) {
      for (const digest of new Set(signed.map((t) => t.digest))) {
        ctx.out(`Successfully wrote the cosign signature of ${ref.gun}@${digest}`);
      }
    }
  },
});

/** Every tag name our keys may remove: held by a role they can sign whose paths allow it. */
async function signedTags(ctx: CliContext, input: string, keys: KeyRing): Promise<string[]> {
  const loaded = (await loadRepositories(ctx, [input])).get(input)!;
  if ('error' in loaded) throw loaded.error;
  const roles = signableRoles(loaded.repo, keys, [], (m) => ctx.log.warning(m));
  const names = new Set<string>();
  for (const r of roles) {
    for (const name of Object.keys(loaded.repo.targets.get(r.role)?.signed.targets ?? {})) {
      if (rolesForTag([r], name).length === 0) continue;
      try {
        parseImageRef(`${loaded.ref.gun}:${name}`);
        names.add(name);
      } catch {
        ctx.log.warning(
          `${input}: ${r.role} lists "${name}", which is not an image tag; left as it is`,
        );
      }
    }
  }
  return [...names].sort();
}

register({
  name: 'revoke',
  usage: 'IMAGE[:TAG]',
  summary: 'Remove trust for an image (every signed tag when no tag is given)',
  flags: [booleanFlag('yes', 'Do not prompt for confirmation', 'y')],
  args: { min: 1, max: 1 },
  async run(ctx, { args, booleans }) {
    const input = args[0];
    const ref = parseImageArg(input);
    if (ref.tag === undefined && !booleans.has('yes')) {
      const yes = await ctx.confirm(
        `Confirm you would like to delete all signature data for ${input}?`,
      );
      if (yes === undefined) {
        throw new DctError(
          'CONFIRMATION_NEEDED',
          `revoking every signed tag of ${input} needs a confirmation and there is no terminal to ask on; add --yes`,
        );
      }
      if (!yes) throw new DctError('CANCELLED', 'trust revoke has been cancelled');
    }
    const keys = await ctx.openKeys('signing', ref.gun);
    try {
      let images = [input];
      if (ref.tag === undefined) {
        const tags = await signedTags(ctx, input, keys);
        if (tags.length === 0) {
          throw new DctError(
            'NOT_SIGNED',
            `could not remove signature for ${input}: no signed tags to remove`,
          );
        }
        images = tags.map((t) => `${ref.gun}:${t}`);
      }
      await revokeImages({
        ...ctx.connection([input]),
        images,
        keys,
        signers: [],
        rootKeyIds: [],
        trustStore: ctx.tufStore,
        log: flowLog(ctx),
      });
    } catch (e) {
      throw cliFailures(ctx, e, keys);
    } finally {
      keys.dispose();
    }
    ctx.out(`Successfully deleted signature for ${input}`);
  },
});
