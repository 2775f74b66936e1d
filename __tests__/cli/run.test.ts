import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { register } from '../../src/cli/registry.js';
import { errorLines, pluginMetadata } from '../../src/cli/run.js';
import { DctError, ImagesError } from '../../src/errors.js';
import { dct, lines, REPO_PASS, ROOT_PASS, tempHome } from './helpers.js';

// Commands that exist only in this file, to drive the error boundary and the argument checks.
const TYPED_SECRET = 'typed-passphrase-999';
register({
  name: 'zztest fail',
  usage: '[ITEM...]',
  summary: 'fails as told',
  flags: [{ name: 'how', kind: 'string', description: 'how to fail' }],
  args: { min: 0 },
  async run(ctx, { strings }) {
    const how = strings.get('how');
    if (how === 'secret') {
      throw new DctError('X', `could not open with ${REPO_PASS}\nor with ${ROOT_PASS}`);
    }
    if (how === 'typed') {
      const p = await ctx.passphrase('repository');
      throw new DctError('X', `passphrase "${p}" rejected`);
    }
    if (how === 'images') {
      throw new ImagesError([
        { image: 'reg/a:1', code: 'A', message: 'first\nreason' },
        { image: 'reg/b:2', code: 'B', message: `set the \`passphrase\` input (${REPO_PASS})` },
      ]);
    }
    if (how === 'crash') throw new TypeError(`boom ${REPO_PASS}`);
    if (how === 'string') throw 'plain string'; // eslint-disable-line @typescript-eslint/only-throw-error
    ctx.out('ok');
  },
});
register({
  name: 'zztest range',
  usage: 'A [B] [C]',
  summary: 'one to three',
  flags: [],
  args: { min: 1, max: 3 },
  run: () => Promise.resolve(),
});
register({
  name: 'zztest many',
  usage: 'A...',
  summary: 'one or more',
  flags: [],
  args: { min: 1 },
  run: () => Promise.resolve(),
});

describe('help', () => {
  it('prints the overview for no arguments, --help, -h and help, on stdout, exit 0', async () => {
    const home = await tempHome();
    for (const argv of [[], ['--help'], ['-h'], ['help']]) {
      const r = await dct(home, argv);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^Usage: {2}dct COMMAND\n/);
      for (const c of ['key generate', 'key load', 'key list', 'key export']) {
        expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
      }
      expect(r.stdout).toContain("Run 'dct COMMAND --help'");
    }
  });

  it("prints a command's usage, its flags and the global ones, and runs nothing", async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'generate', 'alice', '--help']);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('Usage:  dct key generate [OPTIONS] NAME');
    expect(r.stdout).toMatch(/^ {6}--dir string +Directory to write the public key to/m);
    expect(r.stdout).toMatch(/^ {2}-h, --help +Print usage/m);
    expect(r.stdout).toMatch(/^ {2}-D, --debug +/m);
    await expect(readdir(home.cwd)).resolves.toEqual([]);
  });

  it('prints a group overview with only its commands', async () => {
    const home = await tempHome();
    for (const argv of [['key'], ['key', '--help'], ['key', '-h']]) {
      const r = await dct(home, argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: {2}dct key COMMAND\n/);
      expect(r.stdout).toContain('  key export');
      expect(r.stdout).not.toContain('zztest');
      expect(r.stdout).toContain("Run 'dct key COMMAND --help'");
    }
  });

  it('prints the version', async () => {
    const home = await tempHome();
    const r = await dct(home, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^dct \d+\.\d+\.\d+\n$/);
  });
});

describe('unknown commands', () => {
  it('names an unknown command on stderr, exit 1', async () => {
    const home = await tempHome();
    const r = await dct(home, ['frobnicate', '--help']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toEqual([
      "dct: 'frobnicate' is not a dct command.",
      "See 'dct --help'",
    ]);
  });

  it('names an unknown subcommand of a group with its group', async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'destroy', 'alice']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)[0]).toBe("dct: 'key destroy' is not a dct command.");
  });
});

describe('argument counts', () => {
  it('says how many arguments a command takes and its usage', async () => {
    const home = await tempHome();
    const cases: [string[], string][] = [
      [
        ['key', 'generate'],
        '"dct key generate" requires exactly 1 argument; usage: dct key generate NAME',
      ],
      [
        ['key', 'generate', 'a', 'b'],
        '"dct key generate" requires exactly 1 argument; usage: dct key generate NAME',
      ],
      [
        ['key', 'list', 'extra'],
        '"dct key list" requires exactly 0 arguments; usage: dct key list',
      ],
      [
        ['zztest', 'many'],
        '"dct zztest many" requires at least 1 argument; usage: dct zztest many A...',
      ],
      [
        ['zztest', 'range', '1', '2', '3', '4'],
        '"dct zztest range" requires 1 to 3 arguments; usage: dct zztest range A [B] [C]',
      ],
    ];
    for (const [argv, message] of cases) {
      const r = await dct(home, argv);
      expect(r.code, argv.join(' ')).toBe(1);
      expect(lines(r.stderr)).toEqual([message]);
    }
    expect((await dct(home, ['zztest', 'range', '1', '2', '3'])).code).toBe(0);
    // nothing was created by the refused commands
    await expect(readdir(home.dir)).resolves.toEqual([]);
  });

  it('reports a flag error as one line, exit 1', async () => {
    const home = await tempHome();
    const r = await dct(home, ['key', 'list', '--bogus']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(["unknown flag: --bogus; see 'dct key list --help'"]);
  });
});

describe('docker CLI plugin', () => {
  it('answers docker-cli-plugin-metadata as dct and as a plugin', async () => {
    const home = await tempHome();
    for (const program of ['dct', '/home/u/.docker/cli-plugins/docker-trust']) {
      const r = await dct(home, ['docker-cli-plugin-metadata'], { program });
      expect(r.code).toBe(0);
      const meta = JSON.parse(r.stdout) as Record<string, string>;
      expect(meta.SchemaVersion).toBe('0.1.0');
      expect(meta.Vendor).toBe('dct');
      expect(meta.Version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(meta.ShortDescription.length).toBeGreaterThan(10);
    }
    expect(JSON.parse(pluginMetadata())).toHaveProperty('SchemaVersion', '0.1.0');
  });

  it('drops the plugin name docker passes first and speaks as `docker <plugin>`', async () => {
    const home = await tempHome();
    const program = '/x/cli-plugins/docker-trust';
    const help = await dct(home, ['trust', '--help'], { program });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: {2}docker trust COMMAND\n/);
    const sub = await dct(home, ['trust', 'key', 'generate', '--help'], { program });
    expect(lines(sub.stdout)[0]).toBe('Usage:  docker trust key generate [OPTIONS] NAME');
    const bad = await dct(home, ['trust', 'nope'], { program });
    expect(bad.code).toBe(1);
    expect(lines(bad.stderr)[0]).toBe("docker trust: 'nope' is not a docker trust command.");
    const list = await dct(home, ['trust', 'key', 'list'], { program });
    expect(list.code).toBe(0);
    expect(list.stderr).toContain('No keys in');
  });

  it('works under another plugin name, with a .js suffix too', async () => {
    const home = await tempHome();
    const r = await dct(home, ['dct', 'key', '--help'], { program: '/p/docker-dct.js' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: {2}docker dct key COMMAND\n/);
    // called as a plain program whose name does not start with docker-: dct
    const plain = await dct(home, ['--help'], { program: '/opt/dct/dist/cli/index.js' });
    expect(plain.stdout).toMatch(/^Usage: {2}dct COMMAND\n/);
  });
});

describe('the error boundary', () => {
  it('exits 0 on success with the output on stdout', async () => {
    const home = await tempHome();
    const r = await dct(home, ['zztest', 'fail']);
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
  });

  it('prints a failure as one line with the passphrases redacted, exit 1', async () => {
    const home = await tempHome();
    const r = await dct(home, ['zztest', 'fail', '--how', 'secret']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['could not open with *** or with ***']);
  });

  it('redacts a passphrase typed on the terminal', async () => {
    const home = await tempHome();
    const { ScriptedTerminal } = await import('./helpers.js');
    const terminal = new ScriptedTerminal([TYPED_SECRET]);
    const r = await dct(home, ['zztest', 'fail', '--how', 'typed'], {
      terminal,
      env: { DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(TYPED_SECRET);
    expect(lines(r.stderr)).toEqual(['passphrase "***" rejected']);
  });

  it('prints one line per failing item, in the words of the command line', async () => {
    const home = await tempHome();
    const r = await dct(home, ['zztest', 'fail', '--how', 'images']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual([
      'reg/a:1: first reason',
      'reg/b:2: set the DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE (***)',
    ]);
  });

  it('reports an unexpected error in one line; --debug adds the redacted stack', async () => {
    const home = await tempHome();
    const r = await dct(home, ['zztest', 'fail', '--how', 'crash']);
    expect(r.code).toBe(1);
    expect(lines(r.stderr)).toEqual(['unexpected error: boom ***']);
    const d = await dct(home, ['zztest', 'fail', '--how', 'crash', '--debug']);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('TypeError: boom ***');
    expect(d.stderr).toMatch(/\n\s+at /);
    expect(d.stderr).not.toContain(REPO_PASS);
    const s = await dct(home, ['zztest', 'fail', '--how', 'string']);
    expect(lines(s.stderr)).toEqual(['unexpected error: plain string']);
  });

  it('errorLines speaks of variables where the action speaks of inputs', () => {
    const e = new DctError('KEY_BAD_PASSPHRASE', 'set the `root-passphrase` input; or `keys`');
    expect(errorLines(e)).toEqual([
      'set the DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE; or the key directory',
    ]);
  });
});
