/**
 * The keys the administration commands make or bring in: a new key is generated, written
 * encrypted into the key directory (notary's format, `role:`/`gun:` headers) and only then
 * handed to a flow, which publishes metadata naming it right after. Nothing here decrypts a
 * key that is already in the directory except the root key a new repository reuses.
 */
import type { KeyObject } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { DctError, isDctError } from '../errors.js';
import { encryptNotaryKey, generateKey } from '../keys/encrypt.js';
import { keyIdOf, shortId, tufKeyFromKeyObject } from '../keys/keyid.js';
import { parsePem, pemBodyLines } from '../keys/pem.js';
import { PRIVATE_KEY_TYPES, isEncryptedBlock, loadKeyBlock } from '../keys/pkcs8.js';
import type { NewRepository } from '../signer/admin/index.js';
import {
  REPOSITORY_PASSPHRASE_VAR,
  ROOT_PASSPHRASE_VAR,
  type CliContext,
  type PassphraseKind,
} from './context.js';

/** The passphrase a key of `role` is kept under: root keys have their own. */
export function passphraseKindOf(role: string): PassphraseKind {
  return role === 'root' ? 'root' : 'repository';
}

/**
 * Writes `key` into the key directory as `<key id>.key`, encrypted with the passphrase of its
 * kind (asked twice on a terminal: it is a new key). A key already there is left as it is.
 */
export async function storeKey(
  ctx: CliContext,
  key: KeyObject,
  headers: { role: string; gun?: string },
  what: string,
): Promise<{ id: string; path?: string }> {
  const id = keyIdOf(tufKeyFromKeyObject(key));
  if ((await ctx.keyStore.list()).some((k) => k.id === id)) return { id };
  const passphrase = await ctx.passphrase(passphraseKindOf(headers.role), { newKey: true, what });
  const pem = encryptNotaryKey(key, passphrase, headers);
  const path = await ctx.keyStore.write(id, pem);
  return { id, path };
}

/** A new ECDSA P-256 key (what docker and notary generate), stored before it is returned. */
export async function generateStoredKey(
  ctx: CliContext,
  headers: { role: string; gun?: string },
  what: string,
): Promise<KeyObject> {
  // The passphrase first: a missing one must not leave a key made for nothing.
  await ctx.passphrase(passphraseKindOf(headers.role), { newKey: true, what });
  const key = generateKey('ecdsa');
  const { id, path } = await storeKey(ctx, key, headers, what);
  ctx.err(
    `Generated a new ${what}, ID ${shortId(id)}, stored in ${path ?? ctx.keyStore.dir}${headers.role === 'root' ? '; keep a backup of it offline (`dct key export --backup`)' : ''}`,
  );
  return key;
}

/**
 * How `signer add` creates a repository with no trust data, as docker did: the first root
 * key of the directory (opened with the root passphrase), else a new one; a new repository
 * key (`role: targets`, `gun: <repository>`). Both passphrases are settled before any key is
 * made, so a missing one leaves nothing behind. `onStart` runs when creation begins.
 */
export function newRepositoryKeys(
  ctx: CliContext,
  gun: string,
  onStart: () => void,
): NewRepository {
  return {
    rootKey: async () => {
      onStart();
      const ring = await ctx.openKeys('root');
      let root: KeyObject | undefined;
      try {
        root = ring.held()[0]?.key;
      } finally {
        ring.dispose();
      }
      try {
        if (root === undefined) {
          await ctx.passphrase('root', { newKey: true, what: 'root key' });
        }
        await ctx.passphrase('repository', {
          newKey: true,
          what: `repository key of ${gun}`,
        });
      } catch (e) {
        if (
          root === undefined &&
          isDctError(e, 'PASSPHRASE_MISSING') &&
          e.message.endsWith(ROOT_PASSPHRASE_VAR)
        ) {
          throw new DctError(
            'ROOT_KEY_MISSING',
            `no trust data yet and ${ctx.keyStore.dir} holds no root key to create it with; a new root key needs a passphrase and there is no terminal to ask on: set ${ROOT_PASSPHRASE_VAR}, or restore the root key file there from your backup`,
            { cause: e },
          );
        }
        throw e;
      }
      if (root !== undefined) {
        ctx.err(
          `Using the root key ${shortId(keyIdOf(tufKeyFromKeyObject(root)))} of ${ctx.keyStore.dir}`,
        );
        return root;
      }
      return generateStoredKey(ctx, { role: 'root' }, 'root key');
    },
    repositoryKey: () =>
      generateStoredKey(ctx, { role: 'targets', gun }, `repository key of ${gun}`),
  };
}

/**
 * A private key from a file (`key rotate --key`, `key load`): plain, or encrypted with the
 * passphrase of `role`'s kind, else with its own one asked on the terminal. Public keys and
 * certificates are refused (`hint` is added to that message). The file must not be readable
 * by others, as docker required.
 */
export async function readPrivateKeyFile(
  ctx: CliContext,
  file: string,
  role: string,
  hint = "; --key takes the new key's private key file",
): Promise<{ key: KeyObject; encrypted: boolean }> {
  const path = isAbsolute(file) ? file : join(ctx.io.cwd, file);
  let text: string;
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new DctError(
        'KEY_FILE_MODE',
        `the key file ${file} is readable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it first`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof DctError) throw e;
    throw new DctError('FILE_UNREADABLE', `cannot read the key file ${file}`, { cause: e });
  }
  for (const line of pemBodyLines(text)) ctx.redactor.add(line);
  let blocks;
  try {
    blocks = parsePem(text);
  } catch (e) {
    throw new DctError('KEY_NOT_A_KEY', `${file} is not a PEM key file`, { cause: e });
  }
  try {
    const block = blocks.find((b) => PRIVATE_KEY_TYPES.has(b.type));
    if (block === undefined) {
      throw new DctError(
        'KEY_NOT_A_KEY',
        `${file} holds no private key${blocks.length ? ` (only ${blocks.map((b) => b.type).join(', ')})` : ''}${hint}`,
      );
    }
    if (!isEncryptedBlock(block)) {
      return { key: loadKeyBlock(block, undefined, file), encrypted: false };
    }
    const kind = passphraseKindOf(role);
    const pass = await ctx.passphrase(kind, { what: `the key in ${file}` });
    try {
      return { key: loadKeyBlock(block, pass, file), encrypted: true };
    } catch (e) {
      if (!isDctError(e, 'KEY_BAD_PASSPHRASE')) throw e;
      if (ctx.io.terminal === undefined) {
        const variable = kind === 'root' ? ROOT_PASSPHRASE_VAR : REPOSITORY_PASSPHRASE_VAR;
        throw new DctError(
          'KEY_BAD_PASSPHRASE',
          `the passphrase (${ctx.env[variable] ? variable : 'as typed'}) does not open ${file}`,
          { cause: e },
        );
      }
      const own = await ctx.io.terminal.ask(`Enter passphrase for the key in ${file}: `, true);
      ctx.redactor.add(own);
      return { key: loadKeyBlock(block, own, file), encrypted: true };
    }
  } finally {
    for (const b of blocks) b.der.fill(0);
  }
}
