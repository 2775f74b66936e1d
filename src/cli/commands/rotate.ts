/**
 * `dct key rotate REPO ROLE` (CLI.md, notary's `key rotate`): the role's key is replaced and
 * root re-signed by the root key of the directory. A new key is generated (or read from
 * `--key`) and stored in the key directory before anything is published.
 */
import { DctError, isDctError } from '../../errors.js';
import { rotateKey, type RotatableRole } from '../../signer/admin/index.js';
import { parseRepositoryRef } from '../../registry/reference.js';
import { generateStoredKey, readPrivateKeyFile, storeKey } from '../newkeys.js';
import { register } from '../registry.js';
import { adminOptions } from './signer.js';
import { booleanFlag, valueFlag } from '../args.js';

const ROLES: readonly RotatableRole[] = ['root', 'targets', 'snapshot', 'timestamp'];

register({
  name: 'key rotate',
  usage: 'REPOSITORY ROLE',
  summary: 'Rotate the root, targets (repository), snapshot or timestamp key of a repository',
  flags: [
    booleanFlag(
      'server-managed',
      'The server holds the new key (snapshot; timestamp always is)',
      'r',
    ),
    valueFlag(
      'string',
      'key',
      'file',
      'A private key file to use as the new key instead of generating one',
      'k',
    ),
  ],
  args: { min: 2, max: 2 },
  async run(ctx, { args, booleans, strings }) {
    const [repo, roleArg] = args;
    const role = roleArg.toLowerCase() as RotatableRole;
    if (!ROLES.includes(role)) {
      throw new DctError(
        'ROLE_INVALID',
        `cannot rotate the key of ${JSON.stringify(roleArg)}; the roles are ${ROLES.join(', ')}`,
      );
    }
    const gun = parseRepositoryRef(repo).gun;
    const serverManaged = booleans.has('server-managed');
    const keyFile = strings.get('key');
    if (keyFile !== undefined && (serverManaged || role === 'timestamp')) {
      throw new DctError(
        'ROTATE_INVALID',
        `--key gives a key of our own, but the new ${role} key ${role === 'timestamp' ? 'is always' : 'would be'} the server's; give one or the other`,
      );
    }
    const headers = role === 'root' ? { role } : { role, gun };
    const what = role === 'root' ? 'root key' : `${role} key of ${gun}`;
    const keys = await ctx.openKeys('root');
    if (!serverManaged && (role === 'targets' || role === 'snapshot')) {
      // The new key is kept under the repository passphrase: it must be the one that opens
      // this repository's keys already in the directory, if there are any.
      try {
        (await ctx.openKeys('signing', gun)).dispose();
      } catch (e) {
        keys.dispose();
        throw e;
      }
    }
    try {
      const out = await rotateKey({
        ...adminOptions(ctx, repo),
        role,
        keys,
        ...(serverManaged ? { serverManaged } : {}),
        newKey: async () => {
          if (keyFile === undefined) return generateStoredKey(ctx, headers, what);
          const { key } = await readPrivateKeyFile(ctx, keyFile, role);
          await storeKey(ctx, key, headers, what);
          return key;
        },
      }).catch((e: unknown) => {
        if (isDctError(e, 'ROOT_KEY_MISSING')) {
          throw new DctError(
            e.code,
            `${e.message.replace(/the keys given are/, `the root keys in ${ctx.keyStore.dir} are`)}; restore the root key file there from your backup first`,
            { cause: e },
          );
        }
        throw e;
      });
      ctx.out(`Successfully rotated ${role} key for repository ${repo}`);
      ctx.out(
        `New ${role} key ID: ${out.newKeyId}${out.serverManaged ? ' (held by the server)' : ''}`,
      );
      if (out.certificateExpires !== undefined) {
        ctx.out(`Root certificate valid until ${out.certificateExpires.toISOString()}`);
      }
    } finally {
      keys.dispose();
    }
  },
});
