#!/usr/bin/env node
// The `dct` command line (CLI.md), bundled into dist/cli/index.js.
import { processTerminal } from './prompt.js';
import { runCli } from './run.js';

const code = await runCli(
  process.argv.slice(2),
  {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    terminal: processTerminal(),
  },
  process.argv[1] ?? 'dct',
);
process.exitCode = code;
