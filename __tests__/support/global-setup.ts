// Runs once before any test file: a fresh machine gets Debian's notary and docker-registry,
// a Node 24 binary and trixie's cosign here, so `npm test` works on a new clone without
// other steps.
import { ensureCosign } from './cosign.js';
import { node24 } from './runner.js';
import { ensurePackages } from './servers.js';

export default async function setup(): Promise<void> {
  await ensurePackages();
  await node24();
  await ensureCosign();
}
