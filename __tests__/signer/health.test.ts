/**
 * Expiry warnings and the trust health report (issue 11), on synthetic repositories judged at
 * chosen dates; and the `expires-within` durations.
 */
import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/action/summary.js';
import { roleHealth, warnIfExpiring } from '../../src/signer/health.js';
import { parseDuration } from '../../src/signer/refresh.js';
import { addDays } from '../../src/tuf/time.js';
import { loadTrustedRepo } from '../../src/tuf/load.js';
import type { TrustedRepo } from '../../src/tuf/repo.js';
import { sha256b64, TestRepo } from '../tuf/helpers/repo.js';

const GUN = 'registry.example.com/team/app';
const MADE = new Date('2030-06-01T12:00:00Z');

/** targets and targets/releases signed at MADE (3 years), the server's roles renewed at `at`. */
async function repoAt(at: Date): Promise<TrustedRepo> {
  const r = new TestRepo(GUN, MADE);
  r.delegate('targets', 'targets/releases');
  r.setTargets('targets/releases', (t) => {
    t.targets['v1'] = { hashes: { sha256: sha256b64('v1') }, length: 2 };
  });
  r.now = at;
  r.publish();
  return (await loadTrustedRepo(r.fetcher(), { gun: GUN, now: at }))!;
}

function warningsOf(repo: TrustedRepo, now: Date, skip: string[] = []): string[] {
  const lines: string[] = [];
  warnIfExpiring(
    repo,
    { info: () => undefined, debug: () => undefined, warning: (m) => lines.push(m) },
    { now, skip },
  );
  return lines;
}

describe('warnIfExpiring', () => {
  it('says nothing while every role has more than 30 days left (the timestamp always has 14)', async () => {
    const at = addDays(MADE, 3 * 365 - 45);
    expect(warningsOf(await repoAt(at), at)).toEqual([]);
  });

  it('names each role under 30 days, its date and the refresh command; not the server roles', async () => {
    const at = addDays(MADE, 3 * 365 - 20);
    const lines = warningsOf(await repoAt(at), at);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^registry\.example\.com\/team\/app: targets expires at 2033-05-31T12:00:00Z \(in 20 days\), and every client refuses the repository then; re-sign it: run this action with `command: refresh` \(or `dct refresh registry\.example\.com\/team\/app`\)/,
    );
    expect(lines[1]).toMatch(
      /: targets\/releases expires at .* clients ignore its signatures then/,
    );
    expect(lines.join('\n')).not.toMatch(/timestamp|snapshot|root/);
  });

  it('leaves out the roles the run re-signed', async () => {
    const at = addDays(MADE, 3 * 365 - 20);
    const lines = warningsOf(await repoAt(at), at, ['targets/releases']);
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['targets']);
  });
});

describe('trust health in the job summary', () => {
  it('lists each role with version, expiry, days left, signers and what the run re-signed', async () => {
    const at = addDays(MADE, 3 * 365 - 20);
    const repo = await repoAt(at);
    const html = renderSummary({
      command: 'refresh',
      tags: [],
      failures: [],
      now: at,
      health: [{ gun: GUN, roles: roleHealth(repo), changed: ['targets/releases'] }],
    });
    expect(html).toContain('<h3>Trust health</h3>');
    expect(html).toContain(`<h4>${GUN}</h4>`);
    const releases = /<tr><td>targets\/releases<\/td>(.*?)<\/tr>/.exec(html)?.[1];
    expect(releases).toMatch(
      /<td>1<\/td><td>2033-05-31T12:00:00Z<\/td><td>20 ⚠️<\/td><td><code>[0-9a-f]{7}<\/code><\/td><td>re-signed<\/td>/,
    );
    const timestamp = /<tr><td>timestamp<\/td>(.*?)<\/tr>/.exec(html)?.[1];
    expect(timestamp).toMatch(/<td>the trust server<\/td><td><\/td>$/);
    expect(html).not.toContain('Nothing was due');
  });

  it('says nothing was due when the run re-signed nothing', () => {
    expect(renderSummary({ command: 'refresh', tags: [], failures: [], health: [] })).toContain(
      'Nothing was due',
    );
  });
});

describe('parseDuration', () => {
  it('reads hours, days and weeks', () => {
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90d')).toBe(90 * 86_400_000);
    expect(parseDuration(' 2W ')).toBe(14 * 86_400_000);
    expect(parseDuration('0d')).toBe(0);
  });

  it.each(['', '90', 'd', '1.5d', '-1d', '3m', '90 days', '100000w'])(
    '%j is refused, naming the input and the form',
    (bad) => {
      expect(() => parseDuration(bad, '`--expires-within`')).toThrow(
        /^`--expires-within` must be a whole number of hours, days or weeks .* such as 90d, 12h or 2w; got /,
      );
    },
  );
});
