/** What a tag's target is (notary-spec.md §8): sha256 of the manifest bytes and their length. */
import type { TargetFile, TargetsMeta } from '../tuf/models.js';
import { targetFile } from '../tuf/models.js';

export interface TagTarget {
  digest: string; // sha256:<hex>
  size: number;
}

export function toTargetFile(t: TagTarget): TargetFile {
  return targetFile(t.digest.slice('sha256:'.length), t.size);
}

/** The target's digest as `sha256:<hex>`, or undefined when it carries no sha256. */
export function digestOf(file: TargetFile): string | undefined {
  const b64 = file.hashes['sha256'];
  if (typeof b64 !== 'string') return undefined;
  const raw = Buffer.from(b64, 'base64');
  return raw.length === 32 ? `sha256:${raw.toString('hex')}` : undefined;
}

export function sameTarget(file: TargetFile | undefined, t: TagTarget): boolean {
  return file !== undefined && digestOf(file) === t.digest && file.length === t.size;
}

export function lookup(meta: TargetsMeta | undefined, tag: string): TargetFile | undefined {
  if (meta === undefined) return undefined;
  return Object.prototype.hasOwnProperty.call(meta.targets, tag) ? meta.targets[tag] : undefined;
}
