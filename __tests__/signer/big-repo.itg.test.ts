/**
 * A repository with thousands of targets (issue 16 item 4): signing adds, replaces and revoking
 * removes entries of large roles, and the Go notary CLI, reading from an empty trust dir,
 * lists every entry with its digest and size. Names with escapes, HTML-escaped characters and
 * non-ASCII exercise the canonical encoding Go re-derives to check the signatures.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../src/http/client.js';
import { parseImageRef } from '../../src/registry/reference.js';
import { connectRepo } from '../../src/signer/connect.js';
import { publishChange, type RoleEdit } from '../../src/signer/publish.js';
import { revokeImages } from '../../src/signer/revoke.js';
import { signImages } from '../../src/signer/sign.js';
import { toTargetFile } from '../../src/signer/targets.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { keyRingOf, quietLog } from './flows.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const ROLES = ['targets/releases', 'targets/ci'];
const COUNT = 2_000;
/** Names `notary list` prints as one column: escapes, what Go HTML-escapes, non-ASCII. */
const ODD = ['q"uote', 'back\\slash', '<a>&b', 'é-ü', 'smile-😀', 'wide～', 'Ω-0'];

function seedNames(): string[] {
  const plain = Array.from(
    { length: COUNT - ODD.length },
    (_, i) => `seed-${String(i).padStart(4, '0')}`,
  );
  return [...plain, ...ODD];
}

function seedTarget(name: string): { digest: string; size: number } {
  return {
    digest: `sha256:${createHash('sha256').update(name).digest('hex')}`,
    size: 100 + (name.length % 9) * 10,
  };
}

describe('a repository with thousands of targets', () => {
  it('signs and revokes tags in large roles; notary lists every entry', async () => {
    const gun = `${sb.registry.host}/big/app`;
    const repo = await createTrustedRepo(sb, gun);
    const names = seedNames();
    const keys = keyRingOf(repo);
    const http = new HttpClient({ caPem: sb.caPem });
    try {
      // Seeding: one publish of every name into both roles, as `sign` publishes.
      const conn = await connectRepo(parseImageRef(`${gun}:seed`), {
        trustServer: sb.notary.url,
        caPem: sb.caPem,
        http,
        write: true,
      });
      const signersOf = (r: TrustedRepo, role: string) => {
        const k = r.keysOf(role)!;
        return k.keyids.flatMap((id) => {
          const s = keys.signerFor(id, k.keys[id]);
          return s === undefined ? [] : [s];
        });
      };
      const seeded = (r: TrustedRepo, role: string) =>
        Object.keys(r.targets.get(role)?.signed.targets ?? {}).length >= COUNT;
      await publishChange(
        { conn, keys, rootKeyIds: [], log: quietLog() },
        (r): RoleEdit[] =>
          ROLES.filter((role) => !seeded(r, role)).map((role) => ({
            role,
            signers: signersOf(r, role),
            edit: (t) => {
              for (const n of names) t.targets[n] = toTargetFile(seedTarget(n));
            },
          })),
        (r) => ROLES.find((role) => !seeded(r, role)),
      );

      // One new tag, one tag that replaces a seeded entry; then one seeded entry revoked.
      const fresh = await pushImage(sb, 'big/app', 'new-1', { seed: 'big-new' });
      const replaced = await pushImage(sb, 'big/app', 'seed-0007', { seed: 'big-replaced' });
      const signed = await signImages({
        trustServer: sb.notary.url,
        caPem: sb.caPem,
        images: [`${gun}:new-1`, `${gun}:seed-0007`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });
      expect(signed.map((s) => [...s.roles].sort())).toEqual([
        ROLES.slice().sort(),
        ROLES.slice().sort(),
      ]);
      await revokeImages({
        trustServer: sb.notary.url,
        caPem: sb.caPem,
        images: [`${gun}:seed-0011`],
        keys,
        signers: [],
        rootKeyIds: [],
        log: quietLog(),
      });

      const expected = new Map(
        names.filter((n) => n !== 'seed-0011').map((n) => [n, seedTarget(n)] as const),
      );
      expected.set('new-1', { digest: fresh.digest, size: fresh.size });
      expected.set('seed-0007', { digest: replaced.digest, size: replaced.size });
      const cli = new NotaryCli(sb);
      for (const role of ROLES) {
        const listed = await cli.list(gun, role);
        expect(listed).toHaveLength(expected.size);
        const got = new Map(listed.map((t) => [t.name, { digest: t.digest, size: t.size }]));
        expect(got).toEqual(expected);
        expect(new Set(listed.map((t) => t.role))).toEqual(new Set([role]));
      }
    } finally {
      keys.dispose();
      await http.close();
    }
  });
});
