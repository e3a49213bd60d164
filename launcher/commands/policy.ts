// `hush policy check FILE...`: validates policies, alone and together (as one run would use
// them). Prints every problem as `FILE: yaml.path: message` and exits 1, or `FILE: ok` and 0.

import type { CommandMain } from './types';
import { exitStatus, UsageError } from '../errors';
import { parseFlags } from '../flags';
import { loadPolicies } from '../../agent/config/load';

const usage = `usage: hush policy check FILE...

Checks policy files against the policy format (docs/policy.md) and against each other,
and lists every problem found.`;

const policyFlags = { values: {}, booleans: ['help'], short: { h: 'help' } } as const;

export const main: CommandMain = async (args, io) => {
  const flags = parseFlags(args, policyFlags);
  const [sub, ...files] = [...flags.positional, ...(flags.rest ?? [])];
  if (flags.booleans.has('help') || sub === 'help') {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  if (sub !== 'check') {
    throw new UsageError(`${sub === undefined ? 'no subcommand given' : `unknown subcommand '${sub}'`} (try 'hush policy --help')`);
  }
  if (files.length === 0) throw new UsageError("no policy file given (hush policy check FILE...)");
  const result = await loadPolicies(files, io.cwd);
  if (!result.ok) {
    for (const line of result.errors) io.stderr.write(line + '\n');
    return exitStatus.failed;
  }
  for (const file of files) io.stdout.write(`${file}: ok\n`);
  return exitStatus.ok;
};
