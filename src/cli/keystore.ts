/**
 * The private key directory docker and notary share, `$DOCKER_CONFIG/trust/private`
 * (notary-spec.md §1.1): one encrypted PKCS#8 PEM per key, named `<key id>.key`, mode 0600,
 * with `role:` (and for repository keys `gun:`) headers. Older layouts (`root_keys/`,
 * `tuf_keys/<gun>/`, `<id>_<role>.key`) are read too. Nothing here decrypts a key.
 */
import { chmod, mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DctError } from '../errors.js';
import { parsePem, pemBodyLines } from '../keys/pem.js';
import { PRIVATE_KEY_TYPES, isEncryptedBlock } from '../keys/pkcs8.js';
import { disposeKeyFiles, keyPathInfo, type KeyFile } from '../keys/secret.js';

/** One key file, as `key list` shows it (the key is not opened). */
export interface StoredKey {
  /** Path relative to the private directory. */
  path: string;
  id: string;
  role?: string;
  gun?: string;
  encrypted: boolean;
}

export class KeyStore {
  constructor(readonly dir: string) {}

  /** Every `*.key` below the directory, relative paths, sorted. None when it does not exist. */
  async paths(): Promise<string[]> {
    let entries;
    try {
      entries = await readdir(this.dir, { recursive: true, withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new DctError('KEYSTORE_UNREADABLE', `cannot read the key directory ${this.dir}`, {
        cause: e,
      });
    }
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.key'))
      .map((e) => relative(this.dir, join(e.parentPath, e.name)).split(sep).join('/'))
      .sort();
  }

  /**
   * The key files as KeyRing reads them. `mask` sees every PEM body line first. Files that are
   * not a private key are skipped (with a note); the caller disposes of the result.
   */
  async read(mask: (s: string) => void = () => undefined): Promise<{
    files: KeyFile[];
    notes: string[];
  }> {
    const files: KeyFile[] = [];
    const notes: string[] = [];
    try {
      for (const path of await this.paths()) {
        const text = await readFile(join(this.dir, path), 'utf8');
        const file = keyFileFrom(text, path, mask);
        if (file === undefined) notes.push(`${path}: holds no private key, skipped`);
        else files.push(file);
      }
    } catch (e) {
      disposeKeyFiles(files);
      throw e;
    }
    return { files, notes };
  }

  /** What each file says about itself, without decrypting. */
  async list(): Promise<StoredKey[]> {
    const { files } = await this.read();
    try {
      return files
        .filter((f) => f.idFromName !== undefined)
        .map((f) => ({
          path: f.source,
          id: f.idFromName!,
          ...(f.role ? { role: f.role } : {}),
          ...(f.gun ? { gun: f.gun } : {}),
          encrypted: isEncryptedBlock(f.block),
        }));
    } finally {
      disposeKeyFiles(files);
    }
  }

  /**
   * Writes a new key file `<id>.key` (0600, directory 0700) holding `pem`. Refuses to replace
   * an existing file: a key on disk is never overwritten.
   */
  async write(id: string, pem: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`not a key ID: ${id}`);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw new DctError('KEYSTORE_UNWRITABLE', `cannot create the key directory ${this.dir}`, {
        cause: e,
      });
    }
    const path = join(this.dir, `${id}.key`);
    let handle;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new DctError('KEY_EXISTS', `a key file ${path} already exists; it is kept as it is`);
      }
      throw new DctError('KEYSTORE_UNWRITABLE', `cannot write the key file ${path}`, { cause: e });
    }
    try {
      await handle.writeFile(pem, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(path, 0o600); // whatever the umask did
    return path;
  }
}

/** One file's private key block, with what its path and headers say. */
function keyFileFrom(text: string, path: string, mask: (s: string) => void): KeyFile | undefined {
  for (const line of pemBodyLines(text)) mask(line);
  let blocks;
  try {
    blocks = parsePem(text);
  } catch (e) {
    throw new DctError('KEY_DAMAGED', `${path} is not a PEM key file`, { cause: e });
  }
  const keys = blocks.filter((b) => PRIVATE_KEY_TYPES.has(b.type));
  for (const b of blocks) if (!keys.includes(b)) b.der.fill(0);
  if (keys.length === 0) return undefined;
  for (const b of keys.slice(1)) b.der.fill(0);
  const block = keys[0];
  const info = keyPathInfo(path);
  const file: KeyFile = { source: path, block };
  if (info.idFromName) file.idFromName = info.idFromName;
  const role = block.headers.role || info.role;
  const gun = block.headers.gun || info.gun;
  if (role) file.role = role;
  if (gun) file.gun = gun;
  return file;
}
