import { describe, expect, it } from 'vitest';
import { parseFlags, refuseArguments, single, UsageError, type FlagSpec, type ParsedFlags } from '../../launcher/flags';
import { HushError } from '../../agent/errors';

const spec: FlagSpec = {
  values: { policy: true, out: false, env: true },
  booleans: ['once', 'help'],
  short: { h: 'help', o: 'out' },
};

type Expected = Partial<{ values: Record<string, string[]>; booleans: string[]; positional: string[]; rest: string[] }>;

function plain(parsed: ParsedFlags): Expected {
  return {
    values: Object.fromEntries(parsed.values),
    booleans: [...parsed.booleans],
    positional: parsed.positional,
    ...(parsed.rest === undefined ? {} : { rest: parsed.rest }),
  };
}

const none = { values: {}, booleans: [], positional: [] };

describe('parseFlags', () => {
  it.each<[string, string[], Expected]>([
    ['nothing', [], none],
    ['--name value', ['--out', 'dir'], { ...none, values: { out: ['dir'] } }],
    ['--name=value', ['--out=dir'], { ...none, values: { out: ['dir'] } }],
    ['an empty --name=', ['--out='], { ...none, values: { out: [''] } }],
    ['a value with =', ['--env', 'A=b=c'], { ...none, values: { env: ['A=b=c'] } }],
    ['a value that starts with a dash', ['--out', '-x'], { ...none, values: { out: ['-x'] } }],
    ['a repeatable flag, in order', ['--policy', 'a', '--policy=b', '--policy', 'c'], { ...none, values: { policy: ['a', 'b', 'c'] } }],
    ['booleans', ['--once', '--help'], { ...none, booleans: ['once', 'help'] }],
    ['a boolean given twice', ['--once', '--once'], { ...none, booleans: ['once'] }],
    ['short aliases', ['-h', '-o', 'dir'], { ...none, values: { out: ['dir'] }, booleans: ['help'] }],
    ['a short alias with its value attached', ['-odir'], { ...none, values: { out: ['dir'] } }],
    ['positionals between flags', ['check', '--once', 'a.yaml', '-'], { ...none, booleans: ['once'], positional: ['check', 'a.yaml', '-'] }],
    ['everything after -- as the command', ['--once', '--', 'cmd', '--policy', 'x', '--'], { ...none, booleans: ['once'], rest: ['cmd', '--policy', 'x', '--'] }],
    ['a lone --', ['--'], { ...none, rest: [] }],
    ['-- as a value', ['--out', '--', 'x'], { ...none, values: { out: ['--'] }, positional: ['x'] }],
  ])('%s', (_, args, expected) => {
    expect(plain(parseFlags(args, spec))).toEqual(expected);
  });

  it.each<[string, string[], string]>([
    ['an unknown option', ['--bogus'], 'unknown option --bogus'],
    ['an unknown option with a value', ['--bogus=1'], 'unknown option --bogus'],
    ['an unknown short option', ['-x'], 'unknown option -x'],
    ['an unknown letter in a group', ['-hx'], 'unknown option -x'],
    ['an inherited property name', ['--constructor'], 'unknown option --constructor'],
    ['a missing value', ['--out'], '--out needs a value'],
    ['a missing value of an alias', ['-o'], '--out needs a value'],
    ['a value given to a boolean', ['--once=yes'], '--once takes no value'],
    ['a flag given twice', ['--out', 'a', '--out=b'], '--out given more than once'],
    ['a flag given twice through its alias', ['--out', 'a', '-o', 'b'], '--out given more than once'],
  ])('refuses %s', (_, args, message) => {
    let thrown: unknown;
    try {
      parseFlags(args, spec);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect(thrown).toBeInstanceOf(HushError);
    expect((thrown as UsageError).code).toBe('HUSH_ERR_CLI_USAGE');
    expect((thrown as Error).message).toBe(message);
  });

  it('does not look past -- for errors', () => {
    expect(parseFlags(['--', '--bogus', '--out'], spec).rest).toEqual(['--bogus', '--out']);
  });

  it('single() gives the one value, or undefined', () => {
    const parsed = parseFlags(['--out', 'dir'], spec);
    expect(single(parsed, 'out')).toBe('dir');
    expect(single(parsed, 'policy')).toBeUndefined();
  });

  it.each<[string[], string | undefined]>([
    [['--once'], undefined],
    [['extra'], "unexpected argument 'extra' (flags only)"],
    [['--', 'cmd'], "unexpected argument '--' (flags only)"],
  ])('refuseArguments(%j)', (args, message) => {
    const check = () => refuseArguments(parseFlags(args, spec), 'flags only');
    if (message === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(new UsageError(message));
  });

  it('refuses a spec whose alias names no flag', () => {
    expect(() => parseFlags([], { values: {}, booleans: [], short: { x: 'nope' } })).toThrow('-x is an alias of --nope');
  });
});
