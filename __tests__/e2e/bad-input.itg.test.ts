/**
 * Bad input, as a corpus: every case ends in a failed step whose one line names the input
 * and what was expected, and nothing is published (the server's versions are unchanged).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptNotaryKey, generateKey } from '../../src/keys/encrypt.js';
import { HttpClient } from '../../src/http/client.js';
import { NotaryClient } from '../../src/notary/client.js';
import { makeTar } from '../keys/helpers.js';
import { pushImage } from '../support/images.js';
import { createTrustedRepo, type TrustedRepo } from '../support/notary-cli.js';
import { runActionStep } from '../support/runner.js';
import { startSandbox, type Sandbox } from '../support/servers.js';

let sb: Sandbox;
let repo: TrustedRepo;
let other: TrustedRepo;
let gun: string;
let otherCaPem: string;
beforeAll(async () => {
  sb = await startSandbox();
  gun = `${sb.registry.host}/bad/app`;
  repo = await createTrustedRepo(sb, gun);
  other = await createTrustedRepo(sb, `${sb.registry.host}/bad/other`);
  await pushImage(sb, 'bad/app', '1', { seed: 'bad' });
  const dir = await mkdtemp(join(sb.dir, 'ca-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'ca.pem'),
      '-subj',
      '/CN=Other CA',
      '-days',
      '2',
    ],
    { stdio: 'ignore' },
  );
  otherCaPem = execFileSync('cat', [join(dir, 'ca.pem')]).toString();
});
afterAll(async () => {
  await sb?.stop();
});

async function versions(): Promise<string> {
  const http = new HttpClient({ caPem: sb.caPem });
  try {
    const client = new NotaryClient({ server: sb.notary.url, gun, http });
    const out: string[] = [];
    for (const role of ['root', 'targets', 'snapshot', 'targets/releases', 'targets/ci']) {
      const bytes = await client.fetch(role);
      out.push(
        `${role}=${bytes ? (JSON.parse(bytes.toString()) as { signed: { version: number } }).signed.version : 'none'}`,
      );
    }
    return out.join(' ');
  } finally {
    await http.close();
  }
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
const keyFile = (name: string) =>
  Object.entries(repo.keyFiles).find(([n]) => n.startsWith(name))?.[1];

interface Case {
  name: string;
  inputs: () => Record<string, string>;
  expect: RegExp;
}

const good = (): Record<string, string> => ({
  command: 'sign',
  images: `${gun}:1`,
  keys: repo.keysPem,
  passphrase: repo.passphrase,
  'trust-server': sb.notary.url,
  'ca-cert': sb.caPem,
});

const backup = (): Buffer =>
  gzipSync(
    makeTar(Object.entries(repo.keyFiles).map(([n, data]) => ({ name: `private/${n}`, data }))),
  );

const cases: Case[] = [
  {
    name: 'malformed reference',
    inputs: () => ({ ...good(), images: `${gun}/UPPER:1` }),
    expect: /`images`.*invalid image reference.*expected/,
  },
  {
    name: 'reference without a tag',
    inputs: () => ({ ...good(), images: gun }),
    expect: /`images`.*tag/,
  },
  {
    name: 'malformed digest',
    inputs: () => ({ ...good(), digest: 'sha256:1234' }),
    expect: /`digest` must be sha256: followed by 64/,
  },
  {
    name: 'malformed base64 keys',
    inputs: () => ({ ...good(), keys: '%%% not base64 %%%' }),
    expect: /`keys`.*base64/,
  },
  {
    name: 'truncated archive',
    inputs: () => ({ ...good(), keys: b64(backup().subarray(0, 200)) }),
    expect: /`keys`.*(archive|gzip)/,
  },
  {
    name: 'oversized archive',
    inputs: () => ({
      ...good(),
      keys: b64(
        gzipSync(makeTar([{ name: 'private/big.key', data: Buffer.alloc(20 << 20, 0x41) }])),
      ),
    }),
    expect: /`keys`.*(MiB|larger)/,
  },
  {
    name: 'path-traversal archive',
    inputs: () => ({
      ...good(),
      keys: b64(gzipSync(makeTar([{ name: '../../etc/evil.key', data: keyFile('') ?? '' }]))),
    }),
    expect: /`keys`.*path/,
  },
  {
    name: 'key for another repository',
    inputs: () => ({ ...good(), keys: other.keysPem, passphrase: other.passphrase }),
    expect: /no valid signing keys.*keys given/,
  },
  {
    name: 'delegation key without a delegation',
    inputs: () => ({
      ...good(),
      keys: encryptNotaryKey(generateKey('ecdsa'), repo.passphrase, { role: 'ci' }),
    }),
    expect: /no valid signing keys.*keys given/,
  },
  {
    name: 'wrong passphrase',
    inputs: () => ({ ...good(), passphrase: 'not-the-passphrase' }),
    expect: /`keys`.*passphrase/,
  },
  {
    name: 'empty images',
    inputs: () => ({ ...good(), images: ' \n , ' }),
    expect: /`images` is empty/,
  },
  {
    name: 'unknown command',
    inputs: () => ({ ...good(), command: 'publish' }),
    expect:
      /`command` must be sign, verify, revoke, refresh, signer-add or signer-remove; got "publish"/,
  },
  {
    name: 'trust server not https',
    inputs: () => ({ ...good(), 'trust-server': sb.notary.url.replace('https:', 'http:') }),
    expect: /`trust-server`.*https/,
  },
  {
    name: 'a CA that does not match',
    inputs: () => ({ ...good(), 'ca-cert': otherCaPem }),
    expect: /ca-cert/,
  },
  {
    name: 'unknown signer',
    inputs: () => ({ ...good(), signer: 'qa' }),
    expect: /no delegation targets\/qa.*`signer`/,
  },
];

describe('bad input', () => {
  it.each(cases)('$name: one clear line naming the input, nothing published', async (c) => {
    const before = await versions();
    const dir = await mkdtemp(join(sb.dir, 'bad-'));
    const run = await runActionStep('main', { inputs: c.inputs(), workDir: dir });
    expect(run.code).toBe(1);
    expect(run.failed.length).toBeGreaterThanOrEqual(1);
    expect(run.failed.join('\n')).toMatch(c.expect);
    // One line per failing image or input problem; nothing multi-line.
    for (const line of run.failed) expect(line).not.toContain('\n');
    expect(run.failed.join('\n')).not.toContain(repo.passphrase);
    expect(await versions()).toBe(before);
  });
});
