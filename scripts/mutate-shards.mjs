// The security core that `npm run mutate` mutates, in shards of 300 to 600 mutants (20 to 40
// minutes each on two cores). Each shard is its own Stryker run with its own report and
// incremental file under reports/mutation/<shard>/, so a run that is stopped keeps every shard
// it finished, and the next run re-tests only the mutants whose code or covering tests changed.
export const SHARDS = [
  { name: 'tuf-canonical', mutate: ['src/tuf/canonical.ts'] },
  {
    name: 'tuf-models',
    mutate: ['src/tuf/models.ts', 'src/tuf/time.ts', 'src/tuf/trust-cache.ts'],
  },
  {
    name: 'tuf-envelope',
    mutate: ['src/tuf/envelope.ts', 'src/tuf/confirm.ts', 'src/tuf/verify.ts'],
  },
  { name: 'tuf-load', mutate: ['src/tuf/load.ts', 'src/tuf/root-chain.ts', 'src/tuf/rootcert.ts'] },
  { name: 'tuf-checks', mutate: ['src/tuf/checks.ts', 'src/tuf/repo.ts'] },
  { name: 'keys-pkcs8', mutate: ['src/keys/pkcs8.ts'] },
  { name: 'keys-der', mutate: ['src/keys/der.ts', 'src/keys/pem.ts', 'src/keys/cert.ts'] },
  { name: 'keys-tar', mutate: ['src/keys/tar.ts', 'src/keys/encrypt.ts'] },
  { name: 'keys-ring', mutate: ['src/keys/keyring.ts', 'src/keys/secret.ts'] },
  { name: 'keys-sign', mutate: ['src/keys/keyid.ts', 'src/keys/sign.ts', 'src/keys/rules.ts'] },
  { name: 'signer-publish', mutate: ['src/signer/publish.ts'] },
  {
    name: 'signer-sign',
    mutate: [
      'src/signer/sign.ts',
      'src/signer/revoke.ts',
      'src/signer/targets.ts',
      'src/signer/trust-state.ts',
    ],
  },
  {
    name: 'signer-roles',
    mutate: ['src/signer/roles.ts', 'src/signer/connect.ts', 'src/signer/images.ts'],
  },
  { name: 'signer-inspect', mutate: ['src/signer/inspect.ts', 'src/signer/health.ts'] },
  { name: 'signer-verify', mutate: ['src/signer/verify.ts', 'src/signer/cosign.ts'] },
  { name: 'signer-refresh', mutate: ['src/signer/refresh.ts', 'src/signer/types.ts'] },
  {
    name: 'admin-keys',
    mutate: [
      'src/signer/admin/signer-keys.ts',
      'src/signer/admin/signers.ts',
      'src/signer/admin/delegations.ts',
    ],
  },
  {
    name: 'admin-repo',
    mutate: [
      'src/signer/admin/init.ts',
      'src/signer/admin/rotate.ts',
      'src/signer/admin/repo.ts',
      'src/signer/admin/delete.ts',
      'src/signer/admin/images.ts',
      'src/signer/admin/index.ts',
      'src/signer/admin/types.ts',
    ],
  },
  { name: 'action-inputs', mutate: ['src/action/inputs.ts'] },
  {
    name: 'action-post',
    mutate: ['src/action/post.ts', 'src/action/state.ts', 'src/action/cache.ts', 'src/redact.ts'],
  },
];
