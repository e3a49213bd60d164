// Usage errors through the real `hush` binary: every command but `hush run` exits 2 (POSIX)
// with one `hush: ...` line and nothing on stdout; `hush run` keeps 125 (docker's convention).
import { describe, expect, it } from 'vitest';
import { hush } from './helpers';

describe('usage errors', () => {
  it.each<[string[], number, string]>([
    [['frobnicate'], 2, "hush: unknown command 'frobnicate' (try 'hush --help')"],
    [['--bogus'], 2, "hush: unknown command '--bogus' (try 'hush --help')"],
    [['store'], 2, "hush: store: no subcommand given (try 'hush store --help')"],
    [['store', 'frobnicate'], 2, "hush: store: unknown subcommand 'frobnicate' (try 'hush store --help')"],
    [['store', 'ls', '--bogus'], 2, 'hush: store: unknown option --bogus'],
    [['store', 'get', '--store'], 2, 'hush: store: --store needs a value'],
    [['store', 'ls', '--store', 'a', '--store', 'b'], 2, 'hush: store: --store given more than once'],
    [['store', 'ls'], 2, 'hush: store: no store given: pass --store FILE or set HUSH_STORE'],
    [['policy'], 2, "hush: policy: no subcommand given (try 'hush policy --help')"],
    [['policy', 'check'], 2, 'hush: policy: no policy file given (hush policy check FILE...)'],
    [['policy', 'check', '--strict', 'a.yaml'], 2, 'hush: policy: unknown option --strict'],
    [['status', '--bogus'], 2, 'hush: status: unknown option --bogus'],
    [['status', '--json=yes'], 2, 'hush: status: --json takes no value'],
    [['status', '--socket'], 2, 'hush: status: --socket needs a value'],
    [['status', 'extra'], 2, "hush: status: unexpected argument 'extra'"],
    [['demo', '--bogus'], 2, 'hush: demo: unknown option --bogus'],
    [['agent', '--out', '/dev/shm'], 2, 'hush: agent: --policy FILE is required'],
    [['agent', '--policy', 'a.yaml', '--bogus'], 2, 'hush: agent: unknown option --bogus'],
    [['agent', '--policy', 'a.yaml', '--out', '/dev/shm', '--user', 'x'], 2, "hush: agent: --user: UID must be a number, got 'x'"],
    [['run', '--bogus', '--', 'true'], 125, 'hush: run: unknown option --bogus'],
  ])('hush %j exits %i with one line', async (args, status, line) => {
    const r = await hush(args);
    expect(r).toMatchObject({ code: status, stdout: '', stderr: line + '\n' });
  });

  it('hush with no command prints the usage on stderr and exits 2', async () => {
    const r = await hush([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^usage: hush <command> \[options\]\n/);
  });

  it.each([[['--help']], [['store', '--help']], [['store', '-h']], [['status', '--help']], [['demo', '--help']], [['policy', '-h']]])(
    'hush %j prints its usage on stdout and exits 0',
    async (args) => {
      const r = await hush(args);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: hush /);
    },
  );
});
