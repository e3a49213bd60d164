import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkTogether, loadPolicies, parsePolicy } from '../../agent/config/load';
import { parseDuration } from '../../agent/config/normalize';

const base = `version: 1
name: web
sources:
  dev: { type: file, path: ./dev.hush }
  vault:
    type: vault
    auth: { method: token }
`;

/** A policy: the base plus YAML appended at the top level (a `sources:` block adds to the base's). */
const policy = (extra: string) => base + (extra.startsWith('sources:\n') ? extra.slice('sources:\n'.length) : extra);

function errorsOf(text: string, file = 'webapp.yaml'): string[] {
  const r = parsePolicy(text, file, '/etc/hush');
  if (r.ok) throw new Error('expected errors, the policy parsed');
  return r.errors;
}

describe('parsePolicy: a valid policy is normalized', () => {
  it('normalizes durations, modes, refs, on_change and store paths, and freezes the result', () => {
    const r = parsePolicy(
      policy(`secrets:
  - { file: a, source: dev, key: db/a }
  - { file: dir/b.env, source: vault, key: kv/b, format: env, fields: { B_USER: user }, mode: "0640", optional: true }
  - file: c.json
    format: template
    template: '{{secret "vault:kv/c" "x"}}{{default (secret "dev:d") "z"}}'
env:
  TOKEN: "dev:tok"
  USER: { ref: "vault:kv/b", field: user }
rotate: { every: 1h30m, jitter: 0.2 }
on_change: { restart: true, timeout: 5s }
wait: { min: 100ms }
`),
      'webapp.yaml',
      '/etc/hush',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const p = r.policy;
    expect(p.sources.dev).toEqual({ type: 'file', path: '/etc/hush/dev.hush' });
    expect(p.secrets[0]).toEqual({ file: 'a', mode: 0o400, optional: false, format: 'raw', source: 'dev', key: 'db/a' });
    expect(p.secrets[1]).toMatchObject({ mode: 0o640, optional: true, format: 'env', fields: [['B_USER', 'user']] });
    expect(p.secrets[2]).toMatchObject({
      format: 'template',
      refs: [
        { source: 'vault', key: 'kv/c' },
        { source: 'dev', key: 'd' },
      ],
    });
    expect(p.env).toEqual([
      { name: 'TOKEN', ref: { source: 'dev', key: 'tok' } },
      { name: 'USER', ref: { source: 'vault', key: 'kv/b', field: 'user' } },
    ]);
    expect(p.rotate).toEqual({ everyMs: 5_400_000, jitter: 0.2 });
    expect(p.onChange).toEqual({ action: 'restart', timeoutMs: 5000 });
    expect(p.wait).toEqual({ minMs: 100, maxMs: 400 });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.secrets[0])).toBe(true);
  });

  it('applies defaults: raw format, mode 0400, rotate 5m/0.1, on_change none', () => {
    const r = parsePolicy(policy('secrets:\n  - { file: a, source: dev, key: k }\n'), 'p.yaml');
    expect(r.ok && r.policy.rotate).toEqual({ everyMs: 300_000, jitter: 0.1 });
    expect(r.ok && r.policy.onChange).toEqual({ action: 'none' });
    expect(r.ok && r.policy.secrets[0]).toMatchObject({ format: 'raw', mode: 0o400 });
  });

  it.each([
    ['signal: SIGUSR1', { action: 'signal', signal: 'SIGUSR1' }],
    ['restart: true', { action: 'restart', timeoutMs: 10_000 }],
    ['command: ["/app/reload", "-q"]', { action: 'command', argv: ['/app/reload', '-q'], timeoutMs: 30_000 }],
  ])('on_change { %s }', (yaml, expected) => {
    const r = parsePolicy(policy(`on_change: { ${yaml} }\n`), 'p.yaml');
    expect(r.ok && r.policy.onChange).toEqual(expected);
  });

  it('accepts on_change: none as a plain word', () => {
    const r = parsePolicy(policy('on_change: none\n'), 'p.yaml');
    expect(r.ok && r.policy.onChange).toEqual({ action: 'none' });
  });
});

describe('parsePolicy: every error names file, YAML path and what was expected', () => {
  it.each<[string, string, string[]]>([
    ['the spec example: a numeric mode', 'secrets:\n  - { file: a, source: dev, key: k }\n  - { file: b, source: dev, key: k }\n  - { file: c, source: dev, key: k, mode: 777 }\n', ['webapp.yaml: secrets[2].mode: expected an octal string like "0400", got 777']],
    ['a mode that is not octal', 'secrets:\n  - { file: c, source: dev, key: k, mode: "0999" }\n', ['webapp.yaml: secrets[0].mode: expected an octal string like "0400", got "0999"']],
    ['an unknown key', 'secrets:\n  - { file: c, source: dev, key: k, fomat: raw }\n', ['webapp.yaml: secrets[0].fomat: unknown key']],
    ['an unknown top-level key', 'extra: 1\n', ['webapp.yaml: extra: unknown key']],
    ['an unknown format', 'secrets:\n  - { file: c, source: dev, key: k, format: xml }\n', ['webapp.yaml: secrets[0].format: expected raw, env, json, yaml, template, got xml']],
    ['a missing file', 'secrets:\n  - { source: dev, key: k }\n', ['webapp.yaml: secrets[0].file: required']],
    ['an unknown source type', 'sources:\n  x: { type: s3 }\n', ['webapp.yaml: sources.x.type: expected file or vault, got s3']],
    ['an unknown auth method', 'sources:\n  v: { type: vault, auth: { method: ldap } }\n', ['webapp.yaml: sources.v.auth.method: expected token or approle or kubernetes, got ldap']],
    ['an approle without secret_id_file', 'sources:\n  v: { type: vault, auth: { method: approle, role_id_file: /r } }\n', ['webapp.yaml: sources.v.auth.secret_id_file: required']],
    ['a bad duration', 'rotate: { every: 15 }\n', ['webapp.yaml: rotate.every: expected a duration like "30s", "15m" or "1h", got 15']],
    ['jitter out of range', 'rotate: { every: 1m, jitter: 1.5 }\n', ['webapp.yaml: rotate.jitter: expected a number <= 1, got 1.5']],
    ['a too short rotation', 'rotate: { every: 10ms }\n', ['webapp.yaml: rotate.every: expected at least 1s, got 10ms']],
    ['an unknown signal', 'on_change: { signal: SIGFOO }\n', ['webapp.yaml: on_change.signal: expected SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGTERM, SIGQUIT, SIGWINCH, got SIGFOO']],
    ['restart: false', 'on_change: { restart: false }\n', ['webapp.yaml: on_change.restart: expected true, got false']],
    ['an empty command', 'on_change: { command: [] }\n', ['webapp.yaml: on_change.command: expected at least 1 item(s), got a list']],
    ['on_change of the wrong kind', 'on_change: restart\n', ['webapp.yaml: on_change: expected none, { signal: SIGHUP }, { restart: true } or { command: [ARGV...] }, got restart']],
    ['an env value that is not a ref', 'env:\n  A: 42\n', ['webapp.yaml: env.A: expected "SOURCE:KEY" or { ref: "SOURCE:KEY", field: NAME }, got 42']],
    ['an env ref without a colon', 'env:\n  A: { ref: nope }\n', ['webapp.yaml: env.A.ref: expected a reference like "SOURCE:KEY", got nope']],
    ['a bad vault address', 'sources:\n  v: { type: vault, address: "not a url", auth: { method: token } }\n', ['webapp.yaml: sources.v.address: expected a URL like https://vault.internal:8200, got "not a url"']],
    ['wait.max below wait.min', 'wait: { min: 2s, max: 1s }\n', ['webapp.yaml: wait.max: must not be shorter than wait.min (2s)']],
  ])('%s', (_name, extra, expected) => {
    expect(errorsOf(policy(extra))).toEqual(expected);
  });

  it('reports a wrong version', () => {
    expect(errorsOf(base.replace('version: 1', 'version: 2'))).toEqual(['webapp.yaml: version: expected 1, got 2']);
  });

  it('collects every schema error of a file, not only the first', () => {
    const errors = errorsOf(policy('secrets:\n  - { file: a, source: dev, key: k, mode: 777, extra: 1 }\nrotate: { every: x }\n'));
    expect(errors).toEqual([
      'webapp.yaml: secrets[0].mode: expected an octal string like "0400", got 777',
      'webapp.yaml: secrets[0].extra: unknown key',
      'webapp.yaml: rotate.every: expected a duration like "30s", "15m" or "1h", got x',
    ]);
  });

  it.each<[string, string, string[]]>([
    ['an absolute file name', 'secrets:\n  - { file: /etc/passwd, source: dev, key: k }\n', ['webapp.yaml: secrets[0].file: must be a relative path under the secrets directory, not an absolute path']],
    ['a file name with ..', 'secrets:\n  - { file: a/../../b, source: dev, key: k }\n', ["webapp.yaml: secrets[0].file: must not contain '..'"]],
    ['a file name with an empty segment', 'secrets:\n  - { file: a//b, source: dev, key: k }\n', ["webapp.yaml: secrets[0].file: must not contain empty segments ('//' or a trailing '/')"]],
    ['a file name with a dot segment', 'secrets:\n  - { file: ./a, source: dev, key: k }\n', ["webapp.yaml: secrets[0].file: must not contain '.' segments"]],
    ['an empty file name', 'secrets:\n  - { file: "", source: dev, key: k }\n', ['webapp.yaml: secrets[0].file: must not be empty']],
    ['a reserved file name', 'secrets:\n  - { file: .hush-tmp-1, source: dev, key: k }\n', ["webapp.yaml: secrets[0].file: must not start with '.hush-' (reserved for the agent)"]],
    ['a file name with a newline', 'secrets:\n  - { file: "a\\nb", source: dev, key: k }\n', ['webapp.yaml: secrets[0].file: must not contain control characters']],
    ['a duplicate file', 'secrets:\n  - { file: a, source: dev, key: k }\n  - { file: a, source: dev, key: j }\n', ['webapp.yaml: secrets[1].file: "a" is also written by secrets[0]']],
    ['a file that is also a directory', 'secrets:\n  - { file: a, source: dev, key: k }\n  - { file: a/b, source: dev, key: j }\n', ['webapp.yaml: secrets[1].file: "a" is a file (secrets[0]), so it cannot be a directory here']],
    ['an unknown source', 'secrets:\n  - { file: a, source: nope, key: k }\n', ['webapp.yaml: secrets[0].source: no source named "nope" (sources: dev, vault)']],
    ['a missing source and key', 'secrets:\n  - { file: a, format: env }\n', ['webapp.yaml: secrets[0].source: required with format env', 'webapp.yaml: secrets[0].key: required with format env']],
    ['a template without template', 'secrets:\n  - { file: a, format: template }\n', ['webapp.yaml: secrets[0].template: required with format: template']],
    ['a template with source and key', 'secrets:\n  - { file: a, format: template, source: dev, key: k, template: x }\n', ['webapp.yaml: secrets[0].source: not used with format: template (the template names its refs)', 'webapp.yaml: secrets[0].key: not used with format: template (the template names its refs)']],
    ['template on a raw secret', 'secrets:\n  - { file: a, source: dev, key: k, template: x }\n', ['webapp.yaml: secrets[0].template: only used with format: template']],
    ['a template syntax error with its line', 'secrets:\n  - file: a\n    format: template\n    template: "line one\\n{{#if x}}\\n{{/iff}}"\n', ["webapp.yaml: secrets[0].template: line 2: if doesn't match iff"]],
    ['a template with an unclosed mustache', 'secrets:\n  - file: a\n    format: template\n    template: "a\\nb\\n{{secret \\"dev:x\\""\n', ['webapp.yaml: secrets[0].template: line 3: syntax error: unexpected end of template']],
    ['a template with an unknown helper', 'secrets:\n  - file: a\n    format: template\n    template: "{{exec \\"rm\\"}}"\n', ['webapp.yaml: secrets[0].template: line 1: You specified knownHelpersOnly, but used the unknown helper exec']],
    ['a template with a partial', 'secrets:\n  - file: a\n    format: template\n    template: "x\\n{{> passwd}}"\n', ['webapp.yaml: secrets[0].template: line 2: partials are not supported']],
    ['a template ref to an unknown source', 'secrets:\n  - file: a\n    format: template\n    template: "{{secret \\"zz:k\\"}}"\n', ['webapp.yaml: secrets[0].template: refers to "zz:k", but there is no source named "zz" (sources: dev, vault)']],
    ['a template ref that is not a literal', 'secrets:\n  - file: a\n    format: template\n    template: "{{secret (trim \\"dev:k\\")}}"\n', ['webapp.yaml: secrets[0].template: line 1: secret expects a literal "SOURCE:KEY" as its first argument']],
    ['field on a file store value', 'secrets:\n  - { file: a, source: dev, key: k, field: f }\n', ['webapp.yaml: secrets[0].field: a file store value is one string and has no fields']],
    ['field with format env', 'secrets:\n  - { file: a, source: vault, key: k, format: env, field: f }\n', ['webapp.yaml: secrets[0].field: only used with format raw; with format env use fields']],
    ['fields with format raw', 'secrets:\n  - { file: a, source: vault, key: k, fields: { A: a } }\n', ['webapp.yaml: secrets[0].fields: not used with format raw; pick one field with field']],
    ['an env field name that is no variable', 'secrets:\n  - { file: a, source: vault, key: k, format: env, fields: { 1A: a } }\n', ['webapp.yaml: secrets[0].fields[\"1A\"]: expected a variable name (letters, digits, _; not starting with a digit)']],
    ['a bad env variable name', 'env:\n  "MY-VAR": "dev:k"\n', ['webapp.yaml: env.MY-VAR: expected a variable name (letters, digits, _; not starting with a digit)']],
    ['an env ref to an unknown source', 'env:\n  A: "zz:k"\n', ['webapp.yaml: env.A: no source named "zz" (sources: dev, vault)']],
    ['an env field on a file store value', 'env:\n  A: { ref: "dev:k", field: f }\n', ['webapp.yaml: env.A.field: a file store value is one string and has no fields']],
    ['a source name with a colon', 'sources:\n  "a:b": { type: file }\n', ['webapp.yaml: sources["a:b"]: a source name is letters, digits, \'_\', \'.\', \'-\' and starts with a letter or \'_\'']],
  ])('rule: %s', (_name, extra, expected) => {
    expect(errorsOf(policy(extra))).toEqual(expected);
  });

  it.each<[string, string, string[]]>([
    ['a YAML syntax error with its line', 'version: 1\nname: [\n', ['x.yaml: line 3, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['a duplicate key', 'version: 1\nversion: 1\n', ['x.yaml: line 2, column 1: Map keys must be unique']],
    ['a list at the top', '- 1\n', ['x.yaml: expected a mapping with version: 1 at the top']],
    ['an empty file', '', ['x.yaml: expected a mapping with version: 1 at the top']],
  ])('file: %s', (_name, text, expected) => {
    expect(errorsOf(text, 'x.yaml')).toEqual(expected);
  });

  it('never prints a template body in an error (only its line)', () => {
    const errors = errorsOf(policy('secrets:\n  - { file: a, format: template, template: "{{#if}}hunter2-password" }\n'));
    expect(errors.join('\n')).not.toContain('hunter2');
  });
});

describe('loadPolicies', () => {
  const write = async (dir: string, name: string, text: string) => writeFile(path.join(dir, name), text);

  it('loads files relative to cwd, resolves store paths against the policy directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hush-pol-'));
    await write(dir, 'a.yaml', policy('secrets:\n  - { file: a, source: dev, key: k }\n'));
    const r = await loadPolicies(['a.yaml'], dir);
    expect(r.ok).toBe(true);
    expect(r.ok && r.policies[0]!.file).toBe('a.yaml');
    expect(r.ok && r.policies[0]!.sources.dev).toEqual({ type: 'file', path: path.join(dir, 'dev.hush') });
  });

  it('collects errors of every file, unreadable files and conflicts between policies', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hush-pol-'));
    await write(dir, 'a.yaml', policy('secrets:\n  - { file: shared, source: dev, key: k }\n  - { file: d, source: dev, key: k }\n'));
    await write(dir, 'b.yaml', policy('secrets:\n  - { file: shared, source: dev, key: k }\n  - { file: d/x, source: dev, key: k }\n'));
    await write(dir, 'c.yaml', policy('secrets:\n  - { file: c, source: dev, key: k, mode: 777 }\n'));
    const r = await loadPolicies(['a.yaml', 'b.yaml', 'c.yaml', 'missing.yaml'], dir);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'c.yaml: secrets[0].mode: expected an octal string like "0400", got 777',
      'missing.yaml: cannot read the file (ENOENT)',
      'b.yaml: name: "web" is also the name of a.yaml',
      'b.yaml: secrets[0].file: "shared" is also written by a.yaml',
      'b.yaml: secrets[1].file: "d" is a file of a.yaml, so it cannot be a directory here',
    ]);
  });

  it('the example policies are valid, each on its own', async () => {
    const root = path.resolve(__dirname, '../..');
    for (const f of ['policies/demo.yaml', 'policies/webapp-dev.yaml', 'policies/webapp-vault.yaml']) {
      const r = await loadPolicies([f], root);
      expect(r.ok ? 'ok' : r.errors).toBe('ok');
    }
  });

  it('demo.yaml reads the bundled store next to it', async () => {
    const root = path.resolve(__dirname, '../..');
    const r = await loadPolicies(['policies/demo.yaml'], root);
    expect(r.ok && r.policies[0]!.sources.dev).toEqual({ type: 'file', path: path.join(root, 'policies/demo.hush') });
    expect(r.ok && r.policies[0]!.onChange).toEqual({ action: 'signal', signal: 'SIGHUP' });
  });

  it('checkTogether accepts disjoint policies', () => {
    const a = parsePolicy(policy('secrets:\n  - { file: a, source: dev, key: k }\n'), 'a.yaml');
    const b = parsePolicy(policy('secrets:\n  - { file: b, source: dev, key: k }\n').replace('name: web', 'name: web2'), 'b.yaml');
    expect(a.ok && b.ok && checkTogether([a.policy, b.policy])).toEqual([]);
  });
});

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '15', 'm', '1x', '-1s'])('refuses %j', (text) => expect(() => parseDuration(text)).toThrow());
});
