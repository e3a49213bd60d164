// Turns zod issues into problems that read well: a YAML path and what was expected, followed
// by what the file holds there (its source text, so `mode: 777` reads "got 777").

import type { z } from 'zod';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import type { Path, Problem } from './rules';

type Issue = z.core.$ZodIssue;

/** `secrets[2].mode`, `sources.dev.type`, `env["MY VAR"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(String(part))) out += out ? `.${String(part)}` : String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** A parsed YAML file: the document (for paths) and its text (for what the user wrote). */
export interface Source {
  doc: Document;
  text: string;
}

/** What the document holds at a path: source text for scalars, the kind for collections. */
export function found(src: Source, path: Path): string | undefined {
  const node = path.length === 0 ? src.doc.contents : src.doc.getIn(path, true);
  if (node === undefined || node === null) return undefined;
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const text = node.range ? src.text.slice(node.range[0], node.range[1]).trim() : JSON.stringify(node.value);
    const line = text.split('\n')[0]!;
    return line.length > 60 || line !== text ? `${line.slice(0, 57)}...` : line;
  }
  return undefined;
}

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function expected(issue: Issue): string {
  // Our own messages all start with "expected"; zod's defaults do not.
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${typeNames[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} item(s)`;
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `expected at most ${String(issue.maximum)} item(s)`;
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `expected ${issue.format === 'url' ? 'a URL' : `a ${issue.format}`}`;
    default:
      return issue.message;
  }
}

/** Lower is a better explanation: issues at the union's own level mean "wrong kind entirely". */
function branchScore(issues: Issue[]): number {
  return issues.reduce((n, i) => n + (i.path.length === 0 ? 100 : 1), 0);
}

export function issueProblems(issue: Issue, src: Source, prefix: Path = []): Problem[] {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key' }));
  }
  if (issue.code === 'invalid_union') {
    const discriminated = (issue as { discriminator?: string; options?: unknown[] }).options;
    if (discriminated) {
      const got = found(src, path);
      const message = `expected ${discriminated.map(String).join(' or ')}`;
      return [{ path, message: got === undefined ? `required (${message.slice(9)})` : `${message}, got ${got}` }];
    }
    const best = [...issue.errors].sort((a, b) => branchScore(a) - branchScore(b))[0];
    if (best && branchScore(best) < 100) return best.flatMap((i) => issueProblems(i, src, path));
  }
  if (issue.code === 'custom') return [{ path, message: issue.message }];
  const got = found(src, path);
  if (got === undefined && issue.code === 'invalid_type') return [{ path, message: 'required' }];
  return [{ path, message: got === undefined ? expected(issue) : `${expected(issue)}, got ${got}` }];
}
