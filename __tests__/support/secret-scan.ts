/**
 * Scans directories for secret bytes, to prove a run left nothing secret on disk. Each needle
 * is looked for as raw bytes, lowercase and uppercase hex, and standard and URL-safe base64
 * (at each of the 3 alignments, so it is found inside a longer base64 text too).
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function forms(needle: Buffer): Buffer[] {
  const out = [
    needle,
    Buffer.from(needle.toString('hex')),
    Buffer.from(needle.toString('hex').toUpperCase()),
  ];
  for (let shift = 0; shift < 3; shift++) {
    // Drop the first `shift` bytes' worth and the incomplete tail so the text is aligned
    // the same way wherever the needle sits in a larger base64 stream.
    const body = needle.subarray(shift);
    const whole = body.subarray(0, body.length - (body.length % 3));
    if (whole.length < 12) continue;
    const b64 = whole.toString('base64');
    out.push(Buffer.from(b64), Buffer.from(b64.replace(/\+/g, '-').replace(/\//g, '_')));
  }
  return out;
}

function* walk(dir: string): Generator<string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) yield* walk(path);
    else if (st.isFile()) yield path;
  }
}

/**
 * Every file under `dirs` that holds one of `needles` (in any of the forms above), as
 * `"<path>: needle <i>"`. Symlinks are not followed. An empty result means nothing leaked.
 */
export function findSecrets(dirs: string[], needles: Buffer[]): string[] {
  const searched = needles.map((n, i) => ({ i, forms: forms(n) }));
  const hits: string[] = [];
  for (const dir of dirs) {
    for (const file of walk(dir)) {
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch {
        continue;
      }
      for (const { i, forms: fs } of searched) {
        if (fs.some((f) => data.includes(f))) hits.push(`${file}: needle ${i}`);
      }
    }
  }
  return hits;
}
