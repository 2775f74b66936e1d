import { describe, expect, it } from 'vitest';
import { warnIfRootExpiring } from '../../src/signer/publish.js';
import { addDays } from '../../src/tuf/time.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import { TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const MADE = new Date('2030-06-01T12:00:00Z');

async function warningsAt(now: Date): Promise<string[]> {
  const r = new TestRepo(GUN, MADE);
  // Loaded as of its making (the timestamp lasts 14 days), judged as of `now`.
  const repo = (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: MADE }))!;
  const lines: string[] = [];
  warnIfRootExpiring(
    repo,
    { info: () => undefined, debug: () => undefined, warning: (m) => lines.push(m) },
    now,
  );
  return lines;
}

describe('warnIfRootExpiring', () => {
  it('says nothing for a fresh root', async () => {
    expect(await warningsAt(addDays(MADE, 30))).toEqual([]);
  });

  it('warns, naming what to do, when the root certificate has under six months left', async () => {
    // The certificate lasts 3650 days; root metadata 10 x 365 days too.
    const lines = await warningsAt(addDays(MADE, 3650 - 100));
    expect(lines.join('\n')).toMatch(
      /root certificate expires at .*notary key rotate registry\.example\.com\/team\/app root/,
    );
    expect(lines.join('\n')).toMatch(/root metadata expires at .*notary witness/);
  });
});
