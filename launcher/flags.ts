// The one flag parser of every command, on node:util's parseArgs: `--name value`,
// `--name=value`, boolean `--flag`, one-letter aliases, repeatable flags, and everything after
// `--` as the command. Unknown options, a missing value, a value given to a boolean and a
// non-repeatable flag given twice are usage errors naming the flag, never ignored.

import { parseArgs } from 'node:util';
import { UsageError } from './errors';

export { UsageError } from './errors';

export interface FlagSpec {
  /** Flags that take a value; `true` marks a repeatable one. */
  values: Readonly<Record<string, boolean>>;
  booleans: readonly string[];
  /** One-letter aliases: `{ h: 'help' }` makes `-h` mean `--help`. */
  short?: Readonly<Record<string, string>>;
}

export interface ParsedFlags {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positional: string[];
  /** Everything after `--`, or undefined when there was no `--`. */
  rest: string[] | undefined;
}

type OptionConfig = { type: 'string' | 'boolean'; short?: string };

function optionConfig(spec: FlagSpec): Record<string, OptionConfig> {
  const options: Record<string, OptionConfig> = Object.create(null);
  for (const name of Object.keys(spec.values)) options[name] = { type: 'string' };
  for (const name of spec.booleans) options[name] = { type: 'boolean' };
  for (const [letter, name] of Object.entries(spec.short ?? {})) {
    if (!options[name]) throw new Error(`flag spec: -${letter} is an alias of --${name}, which is not a flag`);
    options[name].short = letter;
  }
  return options;
}

export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const options = optionConfig(spec);
  // Not strict: parseArgs's own errors are long and refuse `--name -value`; the checks below
  // are the strict part, each with a one-line message.
  const { tokens } = parseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true });
  const parsed: ParsedFlags = { values: new Map(), booleans: new Set(), positional: [], rest: undefined };
  for (const token of tokens) {
    if (token.kind === 'option-terminator') {
      parsed.rest = args.slice(token.index + 1);
      break;
    }
    if (token.kind === 'positional') {
      parsed.positional.push(token.value);
      continue;
    }
    const { name, value } = token;
    const type = options[name]?.type;
    if (type === undefined) throw new UsageError(`unknown option ${token.rawName}`);
    if (type === 'boolean') {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      parsed.booleans.add(name);
      continue;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    const list = parsed.values.get(name) ?? [];
    if (list.length > 0 && !spec.values[name]) throw new UsageError(`--${name} given more than once`);
    list.push(value);
    parsed.values.set(name, list);
  }
  return parsed;
}

export function single(parsed: ParsedFlags, name: string): string | undefined {
  return parsed.values.get(name)?.[0];
}

/** For a command that takes flags only: a positional argument or a `--` is a usage error. */
export function refuseArguments(parsed: ParsedFlags, hint?: string): void {
  const unexpected = parsed.positional[0] ?? (parsed.rest && '--');
  if (unexpected !== undefined) throw new UsageError(`unexpected argument '${unexpected}'${hint ? ` (${hint})` : ''}`);
}
