/**
 * `npm run sandbox` as a new contributor runs it: it must succeed and show the action's log
 * as a user sees it in the runner, not the raw workflow commands (one holds a passphrase).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './runner.js';

const run = promisify(execFile);

describe('npm run sandbox', () => {
  it('signs, and shows the runner log with secrets masked and no ::add-mask:: lines', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/sandbox.ts'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 << 20,
      timeout: 170_000,
    });
    expect(stdout).toContain('=== action succeeded');
    expect(stdout).not.toContain('::add-mask::');
    expect(stdout).not.toMatch(/^::/m);
    // The passphrases the sandbox gives dct and the action are never shown.
    expect(stdout).not.toContain('sandbox-repository-passphrase');
    expect(stdout).not.toContain('sandbox-root-passphrase');
    // dct made the repository and the signer: in the order it adds the delegations.
    expect(stdout).toContain('Successfully added signer: ci to ');
    expect(stdout).toMatch(
      /^signed \S+:1\.0 \(sha256:[0-9a-f]{64}\) in targets\/ci, targets\/releases$/m,
    );
    // dct inspect shows the tag signed by ci.
    expect(stdout).toMatch(/^1\.0\s+[0-9a-f]{64}\s+ci$/m);
  });
});
