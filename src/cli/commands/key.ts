/**
 * `dct key generate|load|list|export` (CLI.md): the key directory as docker and notary keep
 * it. A new or loaded key is written encrypted with the repository passphrase and never
 * leaves the process in the clear; `export` copies the encrypted files as they are.
 */
import { createPublicKey } from 'node:crypto';
import { open, readFile, rm, stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { DctError } from '../../errors.js';
import { encryptNotaryKey, generateKey } from '../../keys/encrypt.js';
import { keyIdOf, shortId, tufKeyFromKeyObject } from '../../keys/keyid.js';
import { encodePem } from '../../keys/pem.js';
import { writeTar } from '../../keys/tar.js';
import { validateSignerName } from '../../signer/admin/signer-keys.js';
import { writeCosignKeyPair } from '../../cosign/key.js';
import { KeyRing } from '../../keys/keyring.js';
import { disposeKeyFiles } from '../../keys/secret.js';
import { cliKeyError, type CliContext } from '../context.js';
import { readPrivateKeyFile } from '../newkeys.js';
import type { StoredKey } from '../keystore.js';
import { register } from '../registry.js';
import { booleanFlag, valueFlag } from '../args.js';

/** Key names that would read as a TUF role's key rather than a signer's. */
const ROLE_NAMES = new Set(['root', 'targets', 'snapshot', 'timestamp']);

export function checkKeyName(name: string): void {
  if (ROLE_NAMES.has(name)) {
    throw new DctError(
      'KEY_NAME_INVALID',
      `"${name}" is the name of a TUF role; name the key after its signer (e.g. alice)`,
    );
  }
  try {
    validateSignerName(name);
  } catch (e) {
    if (e instanceof DctError) throw new DctError('KEY_NAME_INVALID', `key name: ${e.message}`);
    throw e;
  }
}

/** Writes `text` to a new file (never over an existing one), mode 0600. */
async function writeNew(path: string, data: string | Buffer, what: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new DctError('FILE_EXISTS', `${what} ${path} already exists; it is kept as it is`);
    }
    throw new DctError('FILE_UNWRITABLE', `cannot write ${what} ${path}`, { cause: e });
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

register({
  name: 'key generate',
  usage: 'NAME',
  summary: 'Generate and load a signing key-pair',
  flags: [
    valueFlag(
      'string',
      'dir',
      'string',
      'Directory to write the public key to (default: the current directory)',
    ),
  ],
  args: { min: 1, max: 1 },
  async run(ctx, { args, strings }) {
    const name = args[0];
    checkKeyName(name);
    const dir = strings.get('dir') ?? ctx.io.cwd;
    const pubPath = join(isAbsolute(dir) ? dir : join(ctx.io.cwd, dir), `${name}.pub`);
    const existing = (await ctx.keyStore.list()).find((k) => k.role === name);
    if (existing !== undefined) {
      throw new DctError(
        'KEY_EXISTS',
        `a key named ${name} already exists (${shortId(existing.id)}, ${existing.path}); choose another name`,
      );
    }
    try {
      await stat(pubPath);
      throw new DctError('FILE_EXISTS', `public key file already exists: ${pubPath}`);
    } catch (e) {
      if (e instanceof DctError) throw e;
    }
    const passphrase = await ctx.passphrase('repository', {
      newKey: true,
      what: `the new ${name} key`,
    });
    ctx.out(`Generating key for ${name}...`);
    const key = generateKey('ecdsa');
    const id = keyIdOf(tufKeyFromKeyObject(key));
    const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    const pubPem = encodePem({ type: 'PUBLIC KEY', headers: { role: name }, der: spki });
    // The public file first: if it cannot be written, no private key is left behind unnamed.
    await writeNew(pubPath, pubPem, 'the public key file');
    try {
      await ctx.keyStore.write(id, encryptNotaryKey(key, passphrase, { role: name }));
    } catch (e) {
      // A public key without its private key would only block the name for the next try.
      await rm(pubPath, { force: true });
      throw e;
    }
    ctx.out(
      `Successfully generated and loaded private key. Corresponding public key available: ${pubPath}`,
    );
  },
});

register({
  name: 'key load',
  usage: 'KEYFILE',
  summary: 'Load a private key file into the local key directory',
  flags: [valueFlag('string', 'name', 'string', 'Name for the loaded key (default "signer")')],
  args: { min: 1, max: 1 },
  async run(ctx, { args, strings }) {
    const file = args[0];
    const name = strings.get('name') ?? 'signer';
    checkKeyName(name);
    ctx.out(`Loading key from "${file}"...`);
    const { key, encrypted } = await readPrivateKeyFile(ctx, file, name, '');
    const id = keyIdOf(tufKeyFromKeyObject(key));
    if ((await ctx.keyStore.list()).some((k) => k.id === id)) {
      throw new DctError(
        'KEY_EXISTS',
        `key ${shortId(id)} from ${file} is already in ${ctx.keyStore.dir}; nothing was changed`,
      );
    }
    const passphrase = await ctx.passphrase('repository', {
      newKey: !encrypted,
      what: `the ${name} key`,
    });
    await ctx.keyStore.write(id, encryptNotaryKey(key, passphrase, { role: name }));
    ctx.out(`Successfully imported key from ${file}`);
  },
});

register({
  name: 'key list',
  usage: '',
  summary: 'List the keys in the local key directory (they are not opened)',
  flags: [],
  args: { min: 0, max: 0 },
  async run(ctx) {
    const keys = await ctx.keyStore.list();
    if (keys.length === 0) {
      ctx.err(`No keys in ${ctx.keyStore.dir}`);
      return;
    }
    const rows = [
      ['ROLE', 'REPOSITORY', 'KEY ID', 'LOCATION'],
      ...keys.map((k) => [k.role ?? '', k.gun ?? '', k.id, join(ctx.keyStore.dir, k.path)]),
    ];
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows)
      ctx.out(
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('   ')
          .trimEnd(),
      );
  },
});

register({
  name: 'key export',
  usage: 'NAME|KEYID...',
  summary: "Print encrypted key files as they are (for the action's `keys` secret)",
  flags: [
    booleanFlag('backup', 'A .tar.gz of the whole private key directory instead'),
    booleanFlag('base64', 'Encode the output in base64'),
    booleanFlag(
      'cosign',
      "Write NAME.cosign.key (cosign's encrypted format, password COSIGN_PASSWORD, else the repository passphrase) and NAME.cosign.pub",
    ),
    valueFlag(
      'string',
      'dir',
      'string',
      'With --cosign: the directory to write to (default: the current directory)',
    ),
    valueFlag('string', 'output', 'file', 'Write to a new file (mode 0600) instead of stdout', 'o'),
  ],
  args: { min: 0 },
  async run(ctx, { args, booleans, strings }) {
    const backup = booleans.has('backup');
    if (booleans.has('cosign')) {
      if (backup || args.length !== 1) {
        throw new DctError('CLI_USAGE', '--cosign exports one key: name it, without --backup');
      }
      await exportCosign(ctx, args[0], strings.get('dir'));
      return;
    }
    if (!backup && args.length === 0) {
      throw new DctError(
        'CLI_USAGE',
        'name the keys to export (a name or key ID), or give --backup',
      );
    }
    const keys = await ctx.keyStore.list();
    let data: Buffer;
    if (backup) {
      if (keys.length === 0) throw new DctError('KEY_NOT_FOUND', `no keys in ${ctx.keyStore.dir}`);
      const files = [];
      for (const path of await ctx.keyStore.paths()) {
        files.push({ path: `private/${path}`, data: await readFile(join(ctx.keyStore.dir, path)) });
      }
      data = process.getBuiltinModule('node:zlib').gzipSync(writeTar(files, ctx.now()));
      for (const f of files) f.data.fill(0);
    } else {
      const chosen = new Set<string>();
      for (const want of args) for (const k of selectKeys(ctx, keys, want)) chosen.add(k.path);
      const parts: Buffer[] = [];
      for (const path of chosen) parts.push(await readFile(join(ctx.keyStore.dir, path)));
      data = Buffer.concat(parts);
      for (const p of parts) p.fill(0);
    }
    if (booleans.has('base64')) {
      const encoded = Buffer.from(`${data.toString('base64')}\n`);
      data.fill(0);
      data = encoded;
    }
    const output = strings.get('output');
    if (output !== undefined) {
      await writeNew(isAbsolute(output) ? output : join(ctx.io.cwd, output), data, 'the file');
      ctx.err(`Wrote ${backup ? 'the key directory backup' : 'the key files'} to ${output}`);
    } else {
      ctx.io.stdout(data);
    }
  },
});

/** The keys `want` names: a key ID (or its start, 7 hex digits or more), else a key name. */
function selectKeys(ctx: CliContext, keys: StoredKey[], want: string): StoredKey[] {
  const byId = /^[0-9a-f]{7,64}$/.test(want) ? keys.filter((k) => k.id.startsWith(want)) : [];
  if (byId.length > 1) {
    throw new DctError('KEY_AMBIGUOUS', `${want} is the start of several key IDs; give more of it`);
  }
  const matches = byId.length > 0 ? byId : keys.filter((k) => k.role === want);
  if (matches.length === 0) {
    throw new DctError(
      'KEY_NOT_FOUND',
      `no key named or with ID ${want} in ${ctx.keyStore.dir}; see 'dct key list'`,
    );
  }
  return matches;
}

/**
 * `key export NAME --cosign`: the same private key in cosign's encrypted format, so a signer
 * can go on with the real cosign after leaving Notary (issue: cosign bridge). The key is
 * decrypted in memory only; cosign's file is encrypted with COSIGN_PASSWORD, else with the
 * repository passphrase.
 */
async function exportCosign(ctx: CliContext, want: string, dir: string | undefined): Promise<void> {
  const matches = selectKeys(ctx, await ctx.keyStore.list(), want);
  if (matches.length > 1) {
    throw new DctError(
      'KEY_AMBIGUOUS',
      `${matches.length} keys are named ${want}; give the key ID of the one to export (see 'dct key list')`,
    );
  }
  const chosen = matches[0];
  const root = chosen.role === 'root';
  const { files } = await ctx.keyStore.read((s) => ctx.redactor.add(s));
  let ring: KeyRing | undefined;
  try {
    const file = files.filter((f) => f.source === chosen.path);
    const pass = chosen.encrypted
      ? await ctx.passphrase(root ? 'root' : 'repository', { what: `the ${want} key` })
      : undefined;
    try {
      ring = KeyRing.open(file, {
        include: 'all',
        ...(root ? { rootPassphrase: pass } : { passphrase: pass }),
      });
    } catch (e) {
      throw cliKeyError(e);
    }
    const held = ring.held()[0];
    const cosignPassword = ctx.env.COSIGN_PASSWORD ?? (await ctx.passphrase('repository'));
    if (ctx.env.COSIGN_PASSWORD) ctx.redactor.add(ctx.env.COSIGN_PASSWORD);
    const name = /^[0-9a-f]{7,64}$/.test(want) ? shortId(held.id) : want;
    const out = dir === undefined ? ctx.io.cwd : isAbsolute(dir) ? dir : join(ctx.io.cwd, dir);
    const written = await writeCosignKeyPair(out, name, held.key, cosignPassword);
    ctx.out(`Wrote ${written.privateKey} and ${written.publicKey}`);
    ctx.err(
      `Sign with: cosign sign --key ${written.privateKey} IMAGE@DIGEST; verify with: cosign verify --key ${written.publicKey} --insecure-ignore-tlog=true IMAGE`,
    );
  } finally {
    ring?.dispose();
    disposeKeyFiles(files);
  }
}
