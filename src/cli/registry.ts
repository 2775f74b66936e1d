/**
 * The commands of `dct`. Each command module registers itself; `commands/index.ts` imports
 * them all, so the entry point and the tests see the same set.
 */
import type { FlagSpec, ParsedArgs } from './args.js';
import type { CliContext } from './context.js';

export interface Command {
  /** `inspect`, or `key generate` for a subcommand. */
  name: string;
  /** The arguments after the name, as the help shows them: `NAME REPO...`. */
  usage: string;
  summary: string;
  flags: FlagSpec[];
  /** How many positional arguments it takes; `max` absent means any number. */
  args: { min: number; max?: number };
  /** Returns normally on success; throws DctError (ImagesError for per-item failures). */
  run(ctx: CliContext, parsed: ParsedArgs): Promise<void>;
}

const commands = new Map<string, Command>();

export function register(command: Command): void {
  if (commands.has(command.name)) throw new Error(`command ${command.name} registered twice`);
  commands.set(command.name, command);
}

export function allCommands(): Command[] {
  return [...commands.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The command that `argv` names (a group and its subcommand take two words), and the rest. */
export function findCommand(argv: string[]): { command?: Command; rest: string[]; group?: string } {
  const two = argv.length >= 2 ? `${argv[0]} ${argv[1]}` : undefined;
  if (two !== undefined && commands.has(two))
    return { command: commands.get(two), rest: argv.slice(2) };
  if (argv.length >= 1 && commands.has(argv[0])) {
    return { command: commands.get(argv[0]), rest: argv.slice(1) };
  }
  const group =
    argv[0] !== undefined && allCommands().some((c) => c.name.startsWith(`${argv[0]} `))
      ? argv[0]
      : undefined;
  return { rest: argv.slice(group ? 1 : 0), group };
}
