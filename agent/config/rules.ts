// Cross-field rules, each a small named function over a policy that passed the schema. A rule
// returns problems ({ path, message }); the loader prefixes the file name. Rules never stop at
// the first problem, so one `hush policy check` lists everything to fix.

import type { PolicyFile, SecretFile } from './schema';
import { sourceNamePattern } from './schema';
import { parseDuration } from './normalize';
import { checkTemplate } from '../core/template';
import { envNamePattern } from '../core/values';
import { parseRef } from '../core/refs';
import { fileNameProblem } from '../core/file-names';

export { fileNameProblem, reservedPrefix } from '../core/file-names';

export type Path = (string | number)[];
export interface Problem {
  path: Path;
  message: string;
}
export type Rule = (policy: PolicyFile) => Problem[];

const sourceList = (p: PolicyFile) => {
  const names = Object.keys(p.sources);
  return names.length ? names.join(', ') : 'none declared';
};

export const sourceNames: Rule = (p) =>
  Object.keys(p.sources)
    .filter((name) => !sourceNamePattern.test(name))
    .map((name) => ({
      path: ['sources', name],
      message: "a source name is letters, digits, '_', '.', '-' and starts with a letter or '_'",
    }));

export const secretFileNames: Rule = (p) => {
  const problems: Problem[] = [];
  p.secrets.forEach((s, i) => {
    const why = fileNameProblem(s.file);
    if (why) problems.push({ path: ['secrets', i, 'file'], message: why });
  });
  return problems;
};

/** The same file twice, or a file that is also a directory of another ("a" and "a/b"). */
export function fileConflicts(files: { name: string; where: string; path: Path }[]): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.name);
    if (other !== undefined) problems.push({ path: f.path, message: `"${f.name}" is also written by ${other}` });
    else seen.set(f.name, f.where);
  }
  for (const f of files) {
    const segments = f.name.split('/');
    for (let n = 1; n < segments.length; n++) {
      const dir = segments.slice(0, n).join('/');
      const other = seen.get(dir);
      if (other !== undefined) {
        problems.push({ path: f.path, message: `"${dir}" is a file (${other}), so it cannot be a directory here` });
        break;
      }
    }
  }
  return problems;
}

export const uniqueFiles: Rule = (p) =>
  fileConflicts(p.secrets.map((s, i) => ({ name: s.file, where: `secrets[${i}]`, path: ['secrets', i, 'file'] })));

function valueSecretProblems(p: PolicyFile, s: SecretFile, at: Path): Problem[] {
  const problems: Problem[] = [];
  if (s.source === undefined) problems.push({ path: [...at, 'source'], message: `required with format ${s.format}` });
  else if (!(s.source in p.sources)) {
    problems.push({ path: [...at, 'source'], message: `no source named "${s.source}" (sources: ${sourceList(p)})` });
  }
  if (s.key === undefined) problems.push({ path: [...at, 'key'], message: `required with format ${s.format}` });
  if (s.template !== undefined) problems.push({ path: [...at, 'template'], message: 'only used with format: template' });
  if (s.field !== undefined && s.format !== 'raw') {
    problems.push({ path: [...at, 'field'], message: `only used with format raw; with format ${s.format} use fields` });
  }
  if (s.fields !== undefined && s.format === 'raw') {
    problems.push({ path: [...at, 'fields'], message: 'not used with format raw; pick one field with field' });
  }
  const src = s.source === undefined ? undefined : p.sources[s.source];
  if (src?.type === 'file') {
    for (const k of ['field', 'fields'] as const) {
      if (s[k] !== undefined) {
        problems.push({ path: [...at, k], message: 'a file store value is one string and has no fields' });
      }
    }
  }
  if (s.format === 'env' && s.fields) {
    for (const name of Object.keys(s.fields)) {
      if (!envNamePattern.test(name)) {
        problems.push({ path: [...at, 'fields', name], message: 'expected a variable name (letters, digits, _; not starting with a digit)' });
      }
    }
  }
  return problems;
}

function templateSecretProblems(p: PolicyFile, s: SecretFile, at: Path): Problem[] {
  const problems: Problem[] = [];
  for (const k of ['source', 'key', 'field', 'fields'] as const) {
    if (s[k] !== undefined) {
      problems.push({ path: [...at, k], message: 'not used with format: template (the template names its refs)' });
    }
  }
  if (s.template === undefined) {
    problems.push({ path: [...at, 'template'], message: 'required with format: template' });
    return problems;
  }
  const check = checkTemplate(s.template);
  for (const e of check.errors) problems.push({ path: [...at, 'template'], message: e });
  for (const ref of check.refs) {
    if (!(ref.source in p.sources)) {
      problems.push({
        path: [...at, 'template'],
        message: `refers to "${ref.source}:${ref.key}", but there is no source named "${ref.source}" (sources: ${sourceList(p)})`,
      });
    }
  }
  return problems;
}

export const secretShapes: Rule = (p) =>
  p.secrets.flatMap((s, i) =>
    s.format === 'template' ? templateSecretProblems(p, s, ['secrets', i]) : valueSecretProblems(p, s, ['secrets', i]),
  );

export const envVars: Rule = (p) => {
  const problems: Problem[] = [];
  for (const [name, value] of Object.entries(p.env ?? {})) {
    if (!envNamePattern.test(name)) {
      problems.push({ path: ['env', name], message: 'expected a variable name (letters, digits, _; not starting with a digit)' });
      continue;
    }
    const refText = typeof value === 'string' ? value : value.ref;
    const refPath: Path = typeof value === 'string' ? ['env', name] : ['env', name, 'ref'];
    const ref = parseRef(refText);
    if (!ref) continue; // the schema reported it
    const src = p.sources[ref.source];
    if (!src) {
      problems.push({ path: refPath, message: `no source named "${ref.source}" (sources: ${sourceList(p)})` });
    } else if (src.type === 'file' && typeof value !== 'string' && value.field !== undefined) {
      problems.push({ path: ['env', name, 'field'], message: 'a file store value is one string and has no fields' });
    }
  }
  return problems;
};

export const rotateBounds: Rule = (p) =>
  p.rotate && parseDuration(p.rotate.every) < 1000
    ? [{ path: ['rotate', 'every'], message: `expected at least 1s, got ${p.rotate.every}` }]
    : [];

export const waitBounds: Rule = (p) => {
  if (!p.wait?.max) return [];
  return parseDuration(p.wait.max) < parseDuration(p.wait.min)
    ? [{ path: ['wait', 'max'], message: `must not be shorter than wait.min (${p.wait.min})` }]
    : [];
};

export const rules: readonly Rule[] = [
  sourceNames,
  secretFileNames,
  uniqueFiles,
  secretShapes,
  envVars,
  rotateBounds,
  waitBounds,
];

export function checkRules(policy: PolicyFile): Problem[] {
  return rules.flatMap((rule) => rule(policy));
}
