/**
 * docker-style flags for `dct`: `--name value`, `--name=value`, `-n value`, booleans without a
 * value, repeatable list flags, `--` ends the flags. Anything else is a positional argument.
 */
import { DctError } from '../errors.js';

export interface FlagSpec {
  name: string;
  short?: string;
  /** `boolean` takes no value; `string` one; `list` one per use, repeatable. */
  kind: 'boolean' | 'string' | 'list';
  description: string;
  /** Shown in the help as `--name VALUE`. */
  value?: string;
}

export interface ParsedArgs {
  args: string[];
  booleans: Set<string>;
  strings: Map<string, string>;
  lists: Map<string, string[]>;
}

/** A flag without a value (`--yes`, or `-y` when it has a `short` name). */
export function booleanFlag(name: string, description: string, short?: string): FlagSpec {
  return { name, kind: 'boolean', description, ...(short === undefined ? {} : { short }) };
}

/** A flag with one value (`string`) or one value per use (`list`), shown as `--name VALUE`. */
export function valueFlag(
  kind: 'string' | 'list',
  name: string,
  value: string,
  description: string,
  short?: string,
): FlagSpec {
  return { name, kind, value, description, ...(short === undefined ? {} : { short }) };
}

/** Flags every command takes. */
export const GLOBAL_FLAGS: FlagSpec[] = [
  booleanFlag('help', 'Print usage', 'h'),
  booleanFlag('debug', 'Print what is requested from which server', 'D'),
];

export function parseArgs(argv: string[], specs: FlagSpec[], command: string): ParsedArgs {
  const all = [...GLOBAL_FLAGS, ...specs];
  const out: ParsedArgs = { args: [], booleans: new Set(), strings: new Map(), lists: new Map() };
  const find = (token: string): FlagSpec | undefined =>
    token.startsWith('--')
      ? all.find((f) => f.name === token.slice(2))
      : all.find((f) => f.short !== undefined && f.short === token.slice(1));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      out.args.push(...argv.slice(i + 1));
      break;
    }
    if (!token.startsWith('-') || token === '-') {
      out.args.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = eq === -1 ? token : token.slice(0, eq);
    const spec = find(name);
    if (spec === undefined) {
      throw new DctError('CLI_USAGE', `unknown flag: ${name}; see 'dct ${command} --help'`);
    }
    if (spec.kind === 'boolean') {
      if (eq !== -1) {
        const v = token.slice(eq + 1);
        if (v !== 'true' && v !== 'false') {
          throw new DctError('CLI_USAGE', `--${spec.name} takes true or false, not "${v}"`);
        }
        if (v === 'true') out.booleans.add(spec.name);
        else out.booleans.delete(spec.name);
      } else {
        out.booleans.add(spec.name);
      }
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined) {
        throw new DctError('CLI_USAGE', `flag needs an argument: --${spec.name}`);
      }
      value = next;
      i++;
    }
    if (spec.kind === 'string') {
      out.strings.set(spec.name, value);
    } else {
      out.lists.set(spec.name, [...(out.lists.get(spec.name) ?? []), value]);
    }
  }
  return out;
}
