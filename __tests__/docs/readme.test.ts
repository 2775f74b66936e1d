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

describe('LICENSE', () => {
  it('is the MIT licence package.json names', () => {
    const pkg = JSON.parse(read('package.json')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(read('LICENSE')).toContain('THE SOFTWARE IS PROVIDED "AS IS"');
  });
});
