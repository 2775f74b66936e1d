// The security core that `npm run mutate` mutates, in shards of roughly a thousand mutants.
// Each shard is its own Stryker run with its own report and incremental file under
// reports/mutation/<shard>/, so a run that is stopped keeps every shard it finished, and the
// next run re-tests only the mutants whose code or covering tests changed.
export const SHARDS = [
  {
    name: 'tuf-data',
    mutate: [
      'src/tuf/canonical.ts',
      'src/tuf/models.ts',
      'src/tuf/envelope.ts',
      'src/tuf/time.ts',
      'src/tuf/trust-cache.ts',
    ],
  },
  {
    name: 'tuf-trust',
    mutate: [
      'src/tuf/load.ts',
      'src/tuf/root-chain.ts',
      'src/tuf/rootcert.ts',
      'src/tuf/checks.ts',
      'src/tuf/repo.ts',
      'src/tuf/verify.ts',
      'src/tuf/confirm.ts',
    ],
  },
  {
    name: 'keys-files',
    mutate: [
      'src/keys/pkcs8.ts',
      'src/keys/der.ts',
      'src/keys/tar.ts',
      'src/keys/pem.ts',
      'src/keys/cert.ts',
    ],
  },
  {
    name: 'keys-use',
    mutate: [
      'src/keys/keyring.ts',
      'src/keys/secret.ts',
      'src/keys/encrypt.ts',
      'src/keys/keyid.ts',
      'src/keys/sign.ts',
      'src/keys/rules.ts',
    ],
  },
  {
    name: 'signer-write',
    mutate: [
      'src/signer/publish.ts',
      'src/signer/sign.ts',
      'src/signer/revoke.ts',
      'src/signer/roles.ts',
      'src/signer/targets.ts',
      'src/signer/trust-state.ts',
    ],
  },
  {
    name: 'signer-read',
    mutate: [
      'src/signer/inspect.ts',
      'src/signer/cosign.ts',
      'src/signer/refresh.ts',
      'src/signer/verify.ts',
      'src/signer/health.ts',
      'src/signer/connect.ts',
      'src/signer/images.ts',
      'src/signer/types.ts',
    ],
  },
  { name: 'signer-admin', mutate: ['src/signer/admin/*.ts'] },
  {
    name: 'action',
    mutate: [
      'src/action/post.ts',
      'src/action/inputs.ts',
      'src/action/state.ts',
      'src/action/cache.ts',
      'src/redact.ts',
    ],
  },
];
