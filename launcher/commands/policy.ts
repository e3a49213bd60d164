// `hush policy check FILE...`: validates policies, alone and together (as one run would use
// them). Prints every problem as `FILE: yaml.path: message` and exits 1, or `FILE: ok` and 0.

import type { CommandMain } from './types';
import { exitStatus } from './types';
import { loadPolicies } from '../../agent/config/load';

const usage = `usage: hush policy check FILE...

Checks policy files against the policy format (docs/policy.md) and against each other,
and lists every problem found.`;

export const main: CommandMain = async (args, io) => {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  if (sub !== 'check') {
    io.stderr.write(`hush policy: ${sub === undefined ? 'missing subcommand' : `unknown subcommand '${sub}'`}\n${usage}\n`);
    return exitStatus.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(usage + '\n');
    return exitStatus.ok;
  }
  const files = rest[0] === '--' ? rest.slice(1) : rest;
  const flag = files.find((f) => f.startsWith('-') && f !== '-');
  if (files.length === 0 || (flag && rest[0] !== '--')) {
    io.stderr.write(`hush policy check: ${flag ? `unknown option '${flag}'` : 'no policy file given'}\n${usage}\n`);
    return exitStatus.usage;
  }
  const result = await loadPolicies(files, io.cwd);
  if (!result.ok) {
    for (const line of result.errors) io.stderr.write(line + '\n');
    return exitStatus.userError;
  }
  for (const file of files) io.stdout.write(`${file}: ok\n`);
  return exitStatus.ok;
};
