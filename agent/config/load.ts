// Loading policies: YAML (with positions) → schema → rules → normalize. Every problem of every
// file is collected and printed as `FILE: yaml.path: message`; nothing is thrown at the first
// one. A run's policies are also checked together (one file written by two policies).

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { policyFileSchema } from './schema';
import { checkRules, type Problem } from './rules';
import { formatPath, issueProblems, type Source } from './issues';
import { normalizePolicy, type Policy } from './normalize';
import { templateRefs } from '../core/template';

export type { Policy } from './normalize';

export type ParseResult = { ok: true; policy: Policy } | { ok: false; errors: string[] };
export type LoadResult = { ok: true; policies: Policy[] } | { ok: false; errors: string[] };

const line = (fileName: string, p: Problem) =>
  p.path.length ? `${fileName}: ${formatPath(p.path)}: ${p.message}` : `${fileName}: ${p.message}`;

/**
 * Parses one policy from its text. `fileName` names it in messages and in Policy.file;
 * relative store paths resolve against `baseDir` (default: the file's directory).
 */
export function parsePolicy(text: string, fileName: string, baseDir?: string): ParseResult {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
        return `${fileName}: ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${msg}`;
      }),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [`${fileName}: expected a mapping with version: 1 at the top`] };
  }
  const src: Source = { doc, text };
  const parsed = policyFileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => issueProblems(issue, src));
    return { ok: false, errors: problems.map((p) => line(fileName, p)) };
  }
  const problems = checkRules(parsed.data);
  if (problems.length > 0) return { ok: false, errors: problems.map((p) => line(fileName, p)) };
  const dir = baseDir ?? path.dirname(path.resolve(fileName));
  return { ok: true, policy: normalizePolicy(parsed.data, fileName, dir, templateRefs) };
}

/** Problems between the policies of one run: a file written twice, a policy name used twice. */
export function checkTogether(policies: readonly Policy[]): string[] {
  const errors: string[] = [];
  const owner = new Map<string, Policy>();
  for (const p of policies) for (const s of p.secrets) if (!owner.has(s.file)) owner.set(s.file, p);
  const names = new Map<string, Policy>();
  for (const p of policies) {
    const first = names.get(p.name);
    if (first) errors.push(`${p.file}: name: "${p.name}" is also the name of ${first.file}`);
    else names.set(p.name, p);
    // Conflicts inside one policy are its own rules' business; here only across policies.
    p.secrets.forEach((s, i) => {
      const at = `${p.file}: secrets[${i}].file`;
      const dup = owner.get(s.file);
      if (dup && dup !== p) errors.push(`${at}: "${s.file}" is also written by ${dup.file}`);
      const segments = s.file.split('/');
      for (let n = 1; n < segments.length; n++) {
        const dir = segments.slice(0, n).join('/');
        const other = owner.get(dir);
        if (other && other !== p) {
          errors.push(`${at}: "${dir}" is a file of ${other.file}, so it cannot be a directory here`);
          break;
        }
      }
    });
  }
  return errors;
}

/**
 * Reads and checks the policies of one run. Names in messages are the paths as given;
 * relative paths are read from `cwd`.
 */
export async function loadPolicies(paths: readonly string[], cwd = process.cwd()): Promise<LoadResult> {
  const errors: string[] = [];
  const policies: Policy[] = [];
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      errors.push(`${given}: cannot read the file (${code})`);
      continue;
    }
    const r = parsePolicy(text, given, path.dirname(full));
    if (r.ok) policies.push(r.policy);
    else errors.push(...r.errors);
  }
  errors.push(...checkTogether(policies));
  return errors.length ? { ok: false, errors } : { ok: true, policies };
}
