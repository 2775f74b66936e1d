/**
 * `dct`'s one error boundary: finds the command, parses its flags, runs it, and turns
 * whatever is thrown into lines on stderr (one per failing item) and an exit code: 0 on
 * success, 1 otherwise. Also answers docker's plugin protocol (`docker-cli-plugin-metadata`).
 */
import { basename } from 'node:path';
import { DctError, ImagesError, describeError, oneLine } from '../errors.js';
import { parseArgs, GLOBAL_FLAGS, type FlagSpec } from './args.js';
import { CliContext, cliKeyError, cliWording, type CliIO } from './context.js';
import { allCommands, findCommand, type Command } from './registry.js';
import './commands/index.js';

export const VERSION = '1.0.0';

/** What docker asks a CLI plugin for (docker/cli cli-plugins/metadata). */
export function pluginMetadata(): string {
  return JSON.stringify({
    SchemaVersion: '0.1.0',
    Vendor: 'dct',
    Version: VERSION,
    ShortDescription: 'Manage trust on Docker images (Docker Content Trust, without Docker)',
  });
}

function flagHelp(flags: FlagSpec[]): string[] {
  return flags.map((f) => {
    const name = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.kind === 'boolean' ? '' : ` ${f.value ?? 'string'}`}`;
    return `  ${name.padEnd(30)} ${f.description}`;
  });
}

function commandHelp(prog: string, c: Command): string {
  return [
    `Usage:  ${prog} ${c.name}${c.flags.length ? ' [OPTIONS]' : ''}${c.usage ? ` ${c.usage}` : ''}`,
    '',
    c.summary,
    '',
    'Options:',
    ...flagHelp([...c.flags, ...GLOBAL_FLAGS]),
    '',
  ].join('\n');
}

function overview(prog: string, group?: string): string {
  const list = allCommands().filter((c) => group === undefined || c.name.startsWith(`${group} `));
  const width = Math.max(...list.map((c) => c.name.length), 8);
  return [
    `Usage:  ${prog} ${group ? `${group} ` : ''}COMMAND`,
    '',
    'Docker Content Trust (Notary v1) keys, signatures and repositories, as `docker trust` did.',
    '',
    'Commands:',
    ...list.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    `Run '${prog} ${group ? `${group} ` : ''}COMMAND --help' for more information on a command.`,
    '',
  ].join('\n');
}

/** One line per problem, from anything a command threw. */
export function errorLines(e: unknown): string[] {
  // Before cliKeyError: a reworded error is a plain DctError, without the failures.
  if (e instanceof ImagesError && e.failures.length > 0) {
    return e.failures.map((f) => `${f.image}: ${flatLine(cliWording(f.message))}`);
  }
  const err = cliKeyError(e);
  if (err instanceof DctError) return [flatLine(err.message)];
  return [`unexpected error: ${flatLine(describeError(err))}`];
}

const flatLine = (s: string): string => oneLine(s, { breaksOnly: true });

/**
 * Runs one invocation. `argv` is what follows the program name; `program` is how it was called
 * (`dct`, or `docker-trust` as a plugin, where docker passes the plugin's name first).
 */
export async function runCli(argv: string[], io: CliIO, program = 'dct'): Promise<number> {
  let args = argv;
  let prog = 'dct';
  const base = basename(program).replace(/\.(c|m)?js$/, '');
  if (base.startsWith('docker-')) {
    const plugin = base.slice('docker-'.length);
    if (args[0] === 'docker-cli-plugin-metadata') {
      io.stdout(`${pluginMetadata()}\n`);
      return 0;
    }
    if (args[0] === plugin) args = args.slice(1);
    prog = `docker ${plugin}`;
  } else if (args[0] === 'docker-cli-plugin-metadata') {
    io.stdout(`${pluginMetadata()}\n`);
    return 0;
  }
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.stdout(overview(prog));
    return 0;
  }
  if (args[0] === '--version' || args[0] === 'version') {
    io.stdout(`dct ${VERSION}\n`);
    return 0;
  }
  const { command, rest, group } = findCommand(args);
  if (command === undefined) {
    if (group !== undefined && (rest.length === 0 || rest[0] === '--help' || rest[0] === '-h')) {
      io.stdout(overview(prog, group));
      return 0;
    }
    const what = group !== undefined ? `${group} ${rest[0] ?? ''}`.trim() : args[0];
    io.stderr(`${prog}: '${what}' is not a ${prog} command.\nSee '${prog} --help'\n`);
    return 1;
  }
  let ctx: CliContext | undefined;
  try {
    const parsed = parseArgs(rest, command.flags, command.name);
    if (parsed.booleans.has('help')) {
      io.stdout(commandHelp(prog, command));
      return 0;
    }
    const { min, max } = command.args;
    const n = parsed.args.length;
    if (n < min || (max !== undefined && n > max)) {
      const want =
        max === min
          ? `exactly ${min} argument${min === 1 ? '' : 's'}`
          : max === undefined
            ? `at least ${min} argument${min === 1 ? '' : 's'}`
            : `${min} to ${max} arguments`;
      throw new DctError(
        'CLI_USAGE',
        `"${prog} ${command.name}" requires ${want}; usage: ${prog} ${command.name} ${command.usage}`.trim(),
      );
    }
    ctx = new CliContext(io, parsed.booleans.has('debug'));
    await command.run(ctx, parsed);
    return 0;
  } catch (e) {
    const redact = (s: string): string => ctx?.redactor.redact(s) ?? s;
    for (const line of errorLines(e)) io.stderr(`${redact(line)}\n`);
    if (ctx?.debug && e instanceof Error && !(e instanceof DctError) && e.stack) {
      io.stderr(`${redact(e.stack)}\n`);
    }
    return 1;
  }
}
