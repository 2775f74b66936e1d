/**
 * baseKeyIds (signer/admin/repo.ts): the canonical ID of every key root lists, which signer
 * add and key rotation refuse to reuse; a root certificate shows as its own public key, and
 * an entry that is no readable certificate as its own ID.
 */
import { expect, it } from 'vitest';
import { canonicalKeyId } from '../../src/keys/keyid.js';
import { baseKeyIds } from '../../src/signer/admin/repo.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';

it('every key of every base role; a certificate as its public key, an unreadable one as its ID', async () => {
  const r = new TestRepo(GUN, new Date());
  const bogus = 'e'.repeat(64);
  r.signRoot(2, r.rootKeys, (root) => {
    root.keys[bogus] = { keytype: 'ecdsa-x509', keyval: { private: null, public: 'AAAA' } };
    root.roles['targets'].keyids.push(bogus);
  });
  r.publish();
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN }))!;
  expect(baseKeyIds(repo).sort()).toEqual(
    [
      canonicalKeyId(r.rootKeys[0].tuf),
      r.snapshotKey.id,
      r.targetsKey.id,
      bogus,
      r.timestampKey.id,
    ].sort(),
  );
});
