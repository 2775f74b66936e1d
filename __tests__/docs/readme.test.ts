// What a user and a contributor need from the README, LICENSE and package.json, checked.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT_NAMES } from '../../src/action/inputs.js';

const read = (f: string): string => readFileSync(new URL(`../../${f}`, import.meta.url), 'utf8');
const readme = read('README.md');
const headings = [...readme.matchAll(/^(#{2,3}) (.+)$/gm)].map((m) => m[2]);
const at = (title: RegExp): number => headings.findIndex((h) => title.test(h));

describe('README', () => {
  it('gives the two commands that work on a fresh machine near its top', () => {
    const top = readme.split('\n').slice(0, 30).join('\n');
    expect(top).toContain('npm ci && npm run sandbox');
    expect(top).toContain('npm ci && npm test');
  });

  it("puts the user's path first: usage, inputs, keys to secrets, troubleshooting, then contributing", () => {
    const order = [/^Usage/, /^Inputs/, /secrets/i, /fails/i, /^Versioning/, /^Development/];
    const found = order.map(at);
    expect(
      found.every((i) => i >= 0),
      headings.join(' | '),
    ).toBe(true);
    expect([...found].sort((a, b) => a - b)).toEqual(found);
  });

  it('documents every input, and several passphrases one per line', () => {
    for (const name of INPUT_NAMES) expect(readme).toContain(`| \`${name}\``);
    const keys = readme.slice(readme.indexOf('## Turning your keys into secrets'));
    expect(keys).toMatch(/one per line/);
  });

  it('has troubleshooting rows for a plain-HTTP registry, a signer passphrase, a client-held snapshot key and the default trust server', () => {
    const table = readme.slice(readme.indexOf('## When it fails'));
    for (const row of [
      /`insecure-registries`/,
      /one per line/,
      /snapshot key/,
      /`trust-server` is not set/,
      /cannot reach the (registry|trust server)/,
    ]) {
      expect(table).toMatch(row);
    }
  });

  it('says how to reference the action and pin it', () => {
    const v = readme.slice(readme.indexOf('## Versioning'));
    expect(v).toMatch(/@v1\b/);
    expect(v).toMatch(/commit SHA/i);
  });

  it('tells contributors how long the tests take and what the scripts install', () => {
    const dev = readme.slice(readme.indexOf('## Development'));
    expect(dev).toMatch(/apt-get/);
    expect(dev).toMatch(/Node 24/);
    expect(dev).toMatch(/\d+ (s|min)/);
  });
});

describe('README: keys and repositories with dct', () => {
  const section = (title: string): string => {
    const start = readme.indexOf(`## ${title}\n`);
    expect(start, title).toBeGreaterThan(0);
    const end = readme.indexOf('\n## ', start + 3);
    return readme.slice(start, end === -1 ? undefined : end);
  };

  it('sets up, recovers and explains dct between the secrets and the troubleshooting', () => {
    const order = [
      /secrets/i,
      /^Set up a repository$/,
      /^Lost a key\?$/,
      /^The dct command line$/,
      /fails/i,
    ];
    const found = order.map(at);
    expect(
      found.every((i) => i >= 0),
      headings.join(' | '),
    ).toBe(true);
    expect([...found].sort((a, b) => a - b)).toEqual(found);
  });

  it("follows the seed's steps with dct: passphrases, a signer key, the repository, the secret, backups", () => {
    const setUp = section('Set up a repository');
    for (const text of [
      /password manager/,
      /dct key generate ci/,
      /dct signer add --key ci\.pub ci registry\.example\.com\/team\/app/,
      /dct key export --base64 ci/,
      /dct key export --backup -o private_keys_backup\.tar\.gz/,
      /umask 077; tar -zcvf private_keys_backup\.tar\.gz ~\/\.docker\/trust\/private/,
      /two copies/,
    ]) {
      expect(setUp).toMatch(text);
    }
  });

  it('gives the recovery of each lost key and what consumers must do', () => {
    const lost = section('Lost a key?');
    expect(lost).toMatch(/dct signer remove ci .*dct signer add --key ci\.pub ci/s);
    expect(lost).toMatch(/dct key rotate registry\.example\.com\/team\/app targets/);
    expect(lost).toMatch(/dct delete --remote registry\.example\.com\/team\/app/);
    expect(lost).toContain('could not validate the path to a trusted root');
    expect(lost).toMatch(/~\/\.docker\/trust\/tuf\//);
    expect(lost).toMatch(/dct-trust-/);
  });

  it('shows dct without installing anything and as the docker-trust plugin', () => {
    const cli = section('The dct command line');
    expect(cli).toContain('node $PWD/dist/cli/index.js');
    expect(cli).toContain('~/.docker/cli-plugins/docker-trust');
  });

  it("names only dct's commands, and sends nobody to docker trust or notary to fix things", () => {
    const known =
      /^dct (key (generate|load|list|export|rotate)|signer (add|remove)|inspect|sign|revoke|delete --remote|refresh|--help|COMMAND)\b/;
    const named = [...readme.matchAll(/`(dct [^`]+)`/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    for (const c of named) expect(c).toMatch(known);
    const table = section('When it fails');
    expect(table).not.toMatch(/`notary (key|delegation|publish|delete)/);
    expect(table).not.toMatch(/`docker trust (signer|key|sign)/);
  });
});

describe('LICENSE', () => {
  it('is the MIT licence package.json names', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(read('LICENSE')).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });
});
