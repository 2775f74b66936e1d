// The runner harness against the real @actions/core: what an action writes through core
// must come back parsed, and the step must see a runner's environment and nothing else.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommands, parseFileCommand, REPO_ROOT, runActionJob, runnerLog } from './runner.js';

const core = pathToFileURL(join(REPO_ROOT, 'node_modules/@actions/core/lib/core.js')).href;

// A stand-in action: echoes what it was given through every channel core offers.
const FAKE_ACTION = `
import * as core from ${JSON.stringify(core)};
const step = process.env.STATE_phase === undefined ? 'main' : 'post';
core.setSecret('s3cr3t-value');
core.setOutput('step', step);
core.setOutput('multi', 'line one\\nline two\\n%25 and <<EOF');
core.setOutput('images', core.getInput('images'));
core.setOutput('ca', core.getInput('ca-cert'));
core.setOutput('spaced', core.getInput('with space'));
core.setOutput('env', JSON.stringify(Object.keys(process.env).sort()));
core.setOutput('paths', JSON.stringify({ home: process.env.HOME, temp: process.env.RUNNER_TEMP, ws: process.env.GITHUB_WORKSPACE }));
core.setOutput('state', process.env.STATE_phase ?? '');
core.saveState('phase', 'after-' + step);
core.warning('careful:\\nsecond line');
await core.summary.addRaw('| tag | digest |').write();
if (core.getInput('fail') === 'yes') core.setFailed('it broke: 100%');
`;

describe('runActionJob', () => {
  let dir: string;
  let entry: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dct-runner-'));
    entry = join(dir, 'fake-action.mjs');
    await writeFile(entry, FAKE_ACTION);
    process.env.DCT_LEAK_CHECK = 'should-not-reach-the-action';
  });
  afterAll(async () => {
    delete process.env.DCT_LEAK_CHECK;
    await rm(dir, { recursive: true, force: true });
  });

  it('passes inputs, parses outputs/state/summary, hands state to post', async () => {
    const workDir = join(dir, 'ok');
    const { main, post } = await runActionJob({
      inputs: { images: 'a:1\nb:2', 'ca-cert': 'PEM', 'with space': 'x y' },
      workDir,
      entry,
    });
    expect(main.code).toBe(0);
    expect(main.outputs.step).toBe('main');
    expect(main.outputs.multi).toBe('line one\nline two\n%25 and <<EOF');
    expect(main.outputs.images).toBe('a:1\nb:2');
    expect(main.outputs.ca).toBe('PEM');
    expect(main.outputs.spaced).toBe('x y');
    expect(main.state).toEqual({ phase: 'after-main' });
    expect(main.summary).toContain('| tag | digest |');
    expect(main.warnings).toEqual(['careful:\nsecond line']);
    expect(main.masks).toEqual(['s3cr3t-value']);
    expect(main.failed).toEqual([]);
    expect(JSON.parse(main.outputs.paths)).toEqual({
      home: workDir,
      temp: join(workDir, '_temp'),
      ws: workDir,
    });
    const env = JSON.parse(main.outputs.env) as string[];
    expect(env).toContain('INPUT_CA-CERT');
    expect(env).toContain('INPUT_WITH_SPACE');
    expect(env).toContain('GITHUB_ACTIONS');
    expect(env).not.toContain('DCT_LEAK_CHECK');
    expect(env).not.toContain('RUNNER_DEBUG');

    expect(post.code).toBe(0);
    expect(post.outputs.step).toBe('post');
    expect(post.outputs.state).toBe('after-main');
  });

  it('reports setFailed as exit 1 with the unescaped message', async () => {
    const run = await runActionJob({ inputs: { fail: 'yes' }, workDir: join(dir, 'fail'), entry });
    expect(run.main.code).toBe(1);
    expect(run.main.failed).toEqual(['it broke: 100%']);
  });
});

describe('parsers', () => {
  it('reads both file-command forms and rejects an unterminated heredoc', () => {
    expect(parseFileCommand('a<<D1\nx\n\ny\nD1\nb=2=3\n')).toEqual({ a: 'x\n\ny', b: '2=3' });
    expect(() => parseFileCommand('a<<D1\nx\n')).toThrow(/no closing D1/);
  });

  it('reads ::error with properties and ignores other lines', () => {
    const out = 'hello\n::error file=a.ts,line=3::bad%0Athing\n::debug::x\n::warning::w';
    expect(parseCommands(out)).toEqual({ failed: ['bad\nthing'], warnings: ['w'], masks: [] });
  });
});

describe('runnerLog', () => {
  it('shows what a user sees in the runner log: no mask commands, secrets as ***', () => {
    const stdout = [
      '::add-mask::pass-phrase-1',
      '::add-mask::first-part%0Atwo',
      'signed app:1 with pass-phrase-1 in the line',
      '::debug::only with step debugging: pass-phrase-1',
      '::warning::careful with pass-phrase-1',
      '::error::app:1: failed 100%25',
      '::group::details',
      'inside two',
      '::endgroup::',
      '',
    ].join('\n');
    expect(runnerLog(stdout)).toEqual([
      'signed app:1 with *** in the line',
      'Warning: careful with ***',
      'Error: app:1: failed 100%',
      'details',
      'inside ***',
    ]);
  });
});
