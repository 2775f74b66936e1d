import { describe, expect, it } from 'vitest';
import { parseArgs, type FlagSpec } from '../../src/cli/args.js';
import { DctError } from '../../src/errors.js';

const SPECS: FlagSpec[] = [
  { name: 'force', short: 'f', kind: 'boolean', description: 'no questions' },
  { name: 'dir', kind: 'string', description: 'where' },
  { name: 'key', short: 'k', kind: 'list', description: 'keys' },
];

function usageError(fn: () => unknown): DctError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DctError);
    expect((e as DctError).code).toBe('CLI_USAGE');
    return e as DctError;
  }
  throw new Error('expected a usage error');
}

describe('parseArgs', () => {
  it('separates positional arguments from flags in any order', () => {
    const p = parseArgs(['a', '--dir', 'd', 'b', '-f', 'c'], SPECS, 'x');
    expect(p.args).toEqual(['a', 'b', 'c']);
    expect(p.strings.get('dir')).toBe('d');
    expect(p.booleans.has('force')).toBe(true);
  });

  it('takes --name=value, -n value, and the last of a repeated string flag', () => {
    const p = parseArgs(['--dir=one', '--dir', 'two', '-k', 'a.pub', '--key=b.pub'], SPECS, 'x');
    expect(p.strings.get('dir')).toBe('two');
    expect(p.lists.get('key')).toEqual(['a.pub', 'b.pub']);
  });

  it('keeps an = inside a value and an empty value after =', () => {
    const p = parseArgs(['--dir=a=b'], SPECS, 'x');
    expect(p.strings.get('dir')).toBe('a=b');
    expect(parseArgs(['--dir='], SPECS, 'x').strings.get('dir')).toBe('');
  });

  it('reads --flag=true/false for booleans and refuses anything else', () => {
    expect(parseArgs(['--force=true'], SPECS, 'x').booleans.has('force')).toBe(true);
    expect(parseArgs(['-f', '--force=false'], SPECS, 'x').booleans.has('force')).toBe(false);
    const e = usageError(() => parseArgs(['--force=yes'], SPECS, 'x'));
    expect(e.message).toBe('--force takes true or false, not "yes"');
  });

  it('knows the global --help/-h and --debug/-D', () => {
    const p = parseArgs(['-h', '--debug'], [], 'x');
    expect([...p.booleans].sort()).toEqual(['debug', 'help']);
    expect(parseArgs(['-D'], [], 'x').booleans.has('debug')).toBe(true);
  });

  it('treats everything after -- and a lone - as arguments', () => {
    const p = parseArgs(['-', '--', '--force', '-k'], SPECS, 'x');
    expect(p.args).toEqual(['-', '--force', '-k']);
    expect(p.booleans.size).toBe(0);
  });

  it('names an unknown flag and the help to read', () => {
    expect(usageError(() => parseArgs(['--nope'], SPECS, 'key generate')).message).toBe(
      "unknown flag: --nope; see 'dct key generate --help'",
    );
    expect(usageError(() => parseArgs(['-z'], SPECS, 'x')).message).toContain('unknown flag: -z');
    // a long name given with one dash is not its short form
    usageError(() => parseArgs(['-force'], SPECS, 'x'));
  });

  it('refuses a value flag at the end without its value', () => {
    expect(usageError(() => parseArgs(['--dir'], SPECS, 'x')).message).toBe(
      'flag needs an argument: --dir',
    );
    usageError(() => parseArgs(['a', '-k'], SPECS, 'x'));
  });

  it('takes a value that looks like a flag when the flag needs one', () => {
    expect(parseArgs(['--dir', '-f'], SPECS, 'x').strings.get('dir')).toBe('-f');
  });
});
