/**
 * `dct refresh` against the real notary-server, with the Go notary CLI as the judge: the
 * command re-signs, with the keys of the key directory, what expires within the window. The
 * roles of a new repository expire in three years, so a window of 1,100 days takes them all
 * and the default 90 days none (the expiry rules themselves: __tests__/signer/refresh.itg.test.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, NotaryCli, type TrustedRepo } from '../support/notary-cli.js';
import { startSandbox, type Sandbox } from '../support/servers.js';
import { configDir, dct } from './support.js';

let sb: Sandbox;
let repo: TrustedRepo;
let gun: string;
let config: string;

beforeAll(async () => {
  sb = await startSandbox();
  gun = `${sb.registry.host}/cli/refresh`;
  repo = await createTrustedRepo(sb, gun, { signer: 'ci' });
  config = await configDir(sb);
  const priv = join(config, 'trust', 'private');
  await mkdir(priv, { recursive: true, mode: 0o700 });
  for (const [name, pem] of Object.entries(repo.keyFiles)) {
    await writeFile(join(priv, name), pem, { mode: 0o600 });
  }
  // A signed tag, so that the delegation files exist (they are made by the first signature).
  await pushImage(sb, 'cli/refresh', '1.0');
  const signed = await dct(sb, config, ['sign', `${gun}:1.0`], { env: env() });
  if (signed.code !== 0) throw new Error(signed.stderr);
});
afterAll(async () => {
  await sb?.stop();
});

const env = () => ({ DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: repo.passphrase });

describe('dct refresh', () => {
  it('re-signs nothing that is far from expiry, and everything within a window that takes it', async () => {
    const quiet = await dct(sb, config, ['refresh', gun], { env: env() });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toContain(`${gun}: nothing the keys can sign expires within 90d`);

    const all = await dct(sb, config, ['refresh', '--expires-within', '1100d', gun], {
      env: env(),
    });
    expect(all.code, all.stderr).toBe(0);
    const lines = all.stdout.trim().split('\n');
    const roles = lines.map((l) => l.split('\t')[1]);
    // The repository key and the signer's key are in the directory; the root key's passphrase
    // was not given, so root stays; the snapshot and timestamp are the server's.
    expect(roles.sort()).toEqual(['targets', 'targets/ci', 'targets/releases'].sort());
    for (const l of lines) expect(l).toMatch(/^\S+\t\S+\tversion \d+\texpires \d{4}-\d\d-\d\dT/);

    // The Go CLI, from a fresh trust dir, loads the repository with every signature valid.
    const listed = await new NotaryCli(sb).run(['list', gun]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^1\.0\s/m);

    // Nothing is due again right after.
    const again = await dct(sb, config, ['refresh', gun], { env: env() });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
  });

  it('dct inspect warns about a role that expires within 30 days, and not otherwise', async () => {
    const calm = await dct(sb, config, ['inspect', gun]);
    expect(calm.code, calm.stderr).toBe(0);
    expect(calm.stderr).not.toMatch(/expires at/);
    // The warning's clock only (the trust data is still checked against the real one): the
    // three-year roles are then 15 days from their end.
    const later = new Date(Date.now() + (3 * 365 - 15) * 86_400_000);
    const warned = await dct(sb, config, ['inspect', gun], { now: () => later });
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(
      new RegExp(
        `warning: ${gun.replace(/[.]/g, '\\.')}: targets expires at .* \\(in 1[45] days\\).*dct refresh ${gun.replace(/[.]/g, '\\.')}`,
      ),
    );
    expect(warned.stdout).toBe(calm.stdout);
  });

  it('bad input: a window that is not a duration, a repository without trust data', async () => {
    const bad = await dct(sb, config, ['refresh', '--expires-within', '3 months', gun], {
      env: env(),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^--expires-within must be a whole number of hours, days or weeks/),
    ]);

    const missing = `${sb.registry.host}/cli/never-created`;
    const mixed = await dct(sb, config, ['refresh', missing, gun], { env: env() });
    expect(mixed.code).toBe(1);
    const errors = mixed.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith(missing));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/does not have trust data|no trust data/);
    // The other repository was still refreshed (nothing due, so it says so).
    expect(mixed.stderr).toContain(`${gun}: nothing the keys can sign expires within 90d`);
  });
});
