// A small, strict flag parser: `--name value`, `--name=value`, boolean `--flag`, repeatable
// flags, and everything after `--` as the command. Unknown flags are errors, never ignored.

export interface FlagSpec {
  /** Flags that take a value; `true` marks a repeatable one. */
  values: Record<string, boolean>;
  booleans: readonly string[];
}

export interface ParsedFlags {
  values: Map<string, string[]>;
  booleans: Set<string>;
  positional: string[];
  /** Everything after `--`, or undefined when there was no `--`. */
  rest: string[] | undefined;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseFlags(args: readonly string[], spec: FlagSpec): ParsedFlags {
  const parsed: ParsedFlags = { values: new Map(), booleans: new Set(), positional: [], rest: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      parsed.rest = args.slice(i + 1);
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      parsed.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (spec.booleans.includes(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      parsed.booleans.add(name);
      continue;
    }
    if (!(name in spec.values)) throw new UsageError(`unknown option --${name}`);
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      if (i + 1 >= args.length) throw new UsageError(`--${name} needs a value`);
      value = args[++i];
    }
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
