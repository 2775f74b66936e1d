import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INPUT_NAMES, parseInputs, type RawInputs } from '../../src/action/inputs.js';

// A small reader for the two-level maps of action.yml (no YAML parser among the deps).
const yml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8');

function section(name: string): Map<string, string> {
  const block = new RegExp(`^${name}:\\n((?:[ \\t]+.*\\n|\\n)*)`, 'm').exec(yml)?.[1] ?? '';
  const items = new Map<string, string>();
  for (const part of block.split(/^ {2}(?=[a-z-]+:\s*$)/m)) {
    const m = /^([a-z-]+):\s*\n([\s\S]*)$/.exec(part);
    if (m) items.set(m[1], m[2]);
  }
  return items;
}

describe('action.yml', () => {
  it('declares exactly the inputs the code reads, each with a description', () => {
    const inputs = section('inputs');
    expect([...inputs.keys()].sort()).toEqual([...INPUT_NAMES].sort());
    for (const [name, body] of inputs) expect(body, name).toMatch(/^ {4}description: \S/m);
  });

  it('has the defaults of ACTION.md and no default for the passphrases', () => {
    const inputs = section('inputs');
    expect(inputs.get('command')).toMatch(/default: 'sign'/);
    expect(inputs.get('cache')).toMatch(/default: 'true'/);
    expect(inputs.get('images')).toMatch(/required: true/);
    for (const name of ['passphrase', 'root-passphrase', 'trust-server', 'keys']) {
      expect(inputs.get(name), name).not.toMatch(/default:/);
    }
  });

  it('has no default a command refuses: the runner sets every default for every command', () => {
    // A GitHub runner passes INPUT_<NAME> for each input with a default, whether the workflow
    // gave it or not; an input only one command takes must have none, or every other command
    // fails on it.
    const defaults: RawInputs = {};
    for (const [name, body] of section('inputs')) {
      const d = /^ {4}default: '(.*)'$/m.exec(body);
      if (d) defaults[name as keyof RawInputs] = d[1];
    }
    const given: Record<string, RawInputs> = {
      sign: { keys: 'K' },
      verify: {},
      revoke: { keys: 'K' },
      refresh: { keys: 'K' },
      'signer-add': { keys: 'K', signer: 'ci', 'signer-keys': 'P' },
      'signer-remove': { keys: 'K', signer: 'ci' },
    };
    for (const [command, extra] of Object.entries(given)) {
      const raw = { ...defaults, command, images: 'registry.example.com/team/app:1', ...extra };
      expect(() => parseInputs(raw, {}), command).not.toThrow();
    }
  });

  it('declares the four outputs and runs main and post on node24', () => {
    expect([...section('outputs').keys()]).toEqual(['signed', 'verified', 'digests', 'refreshed']);
    const runs = /^runs:\n((?: {2}.*\n)*)/m.exec(yml)?.[1];
    expect(runs).toContain("using: 'node24'");
    expect(runs).toContain("main: 'dist/main/index.js'");
    expect(runs).toContain("post: 'dist/post/index.js'");
    expect(runs).toContain('post-if: always()');
  });
});
