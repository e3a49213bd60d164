// Templates: Handlebars in a private environment with our helpers only. Handlebars is
// logic-less: a template can look values up and call the helpers registered here, nothing
// else (no code, no file or network access, no partials, no prototype access). Templates read
// from the in-memory snapshot; a missing value is recorded and reported after the whole
// template ran, never fetched and never rendered as an empty placeholder.

import type HandlebarsModule from 'handlebars';
import { describeRef, missing as missingValue, parseRef, type MissingValue, type Ref } from './refs';
import { decodeText, isBytes, type Snapshot } from './values';

/** A value that was not there; renders as '' but fails the render unless `default` took it. */
class Missing {
  constructor(
    readonly ref: Ref,
    readonly reason: string,
  ) {}
  toString(): string {
    return '';
  }
}

/** Bytes that are not UTF-8 text: only base64 can print them. */
class Binary {
  constructor(
    readonly bytes: Uint8Array,
    readonly ref: string,
  ) {}
  toString(): string {
    throw new TemplateFailure(`${this.ref} is not UTF-8 text; print it with base64`);
  }
}

/** A map or list value; prints as JSON. */
class Structured {
  constructor(readonly value: unknown) {}
  toString(): string {
    return JSON.stringify(this.value);
  }
}

class TemplateFailure extends Error {}

interface RenderState {
  snapshot: Snapshot;
  pending: Set<Missing>;
}
let state: RenderState | undefined;

type HelperOptions = { hash?: Record<string, unknown>; loc?: { start: { line: number } } };
const lineOf = (o: HelperOptions | undefined) => (o?.loc ? `line ${o.loc.start.line}: ` : '');

function lookup(refText: unknown, field: unknown, options: HelperOptions): unknown {
  if (!state) throw new TemplateFailure('secret used outside a render');
  if (typeof refText !== 'string' || !parseRef(refText)) {
    throw new TemplateFailure(`${lineOf(options)}secret expects "SOURCE:KEY" as its first argument`);
  }
  const ref = parseRef(refText, typeof field === 'string' ? field : undefined)!;
  const name = describeRef(ref);
  const data = state.snapshot.get(ref.source, ref.key);
  if (data === undefined) return new Missing(ref, 'not available');
  if (ref.field === undefined) {
    if (isBytes(data)) {
      const text = decodeText(data);
      return text === undefined ? new Binary(data, name) : text;
    }
    return new Structured(data);
  }
  if (isBytes(data)) return new Missing(ref, 'is a single value and has no fields');
  if (!Object.prototype.hasOwnProperty.call(data, ref.field)) return new Missing(ref, 'has no such field');
  const value = data[ref.field];
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return new Structured(value);
  return value === null || value === undefined ? '' : String(value);
}

/** Unwraps our wrappers for helpers that work on plain values; Missing passes through. */
const plain = (v: unknown): unknown => (v instanceof Structured ? v.value : v);
const isEmpty = (v: unknown) => v === undefined || v === null || v === '' || v instanceof Missing;

const helpers: Record<string, (...args: unknown[]) => unknown> = {
  secret(...args) {
    const options = args.pop() as HelperOptions;
    const [refText, field] = args;
    const value = lookup(refText, field, options);
    if (value instanceof Missing) {
      if (options.hash && 'default' in options.hash) return options.hash.default;
      state!.pending.add(value);
    }
    return value;
  },
  has(...args) {
    const options = args.pop() as HelperOptions;
    return !(lookup(args[0], args[1], options) instanceof Missing);
  },
  default(value, fallback) {
    if (value instanceof Missing) state!.pending.delete(value);
    return isEmpty(value) ? fallback : value;
  },
  base64(value) {
    if (value instanceof Missing) return value;
    if (value instanceof Binary) return Buffer.from(value.bytes).toString('base64');
    return Buffer.from(String(value ?? ''), 'utf8').toString('base64');
  },
  base64decode(value, options) {
    if (value instanceof Missing) return value;
    const bytes = Buffer.from(String(value ?? ''), 'base64');
    const text = decodeText(bytes);
    if (text === undefined) throw new TemplateFailure(`${lineOf(options as HelperOptions)}base64decode: result is not UTF-8 text`);
    return text;
  },
  json(value) {
    if (value instanceof Missing) return value;
    if (value instanceof Binary) return value.toString();
    return JSON.stringify(plain(value) ?? null);
  },
  trim(value) {
    if (value instanceof Missing) return value;
    return String(plain(value) ?? '').trim();
  },
};
helpers.toJSON = helpers.json!;

let environment: typeof HandlebarsModule | undefined;

/** Our private Handlebars, loaded on first use: runs whose policies have no template never load it. */
function handlebars(): typeof HandlebarsModule {
  if (environment) return environment;
  const env = (require('handlebars') as typeof HandlebarsModule).create();
  // Handlebars would print its own warnings (denied prototype access) to the console, outside
  // our logger; the denial itself is what matters.
  env.logger.level = 99;
  for (const name of ['log', 'lookup']) env.unregisterHelper(name);
  for (const [name, fn] of Object.entries(helpers)) env.registerHelper(name, fn);
  return (environment = env);
}

const knownHelpers = { ...Object.fromEntries(Object.keys(helpers).map((n) => [n, true])), log: false, lookup: false };
const compileOptions = { noEscape: true, strict: true, knownHelpersOnly: true, knownHelpers } as const;
const runtimeOptions = {
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
  allowCallsToHelperMissing: false,
};

const cache = new Map<string, HandlebarsTemplateDelegate>();
function compiled(template: string): HandlebarsTemplateDelegate {
  let fn = cache.get(template);
  if (!fn) {
    fn = handlebars().compile(template, compileOptions);
    if (cache.size > 1000) cache.clear();
    cache.set(template, fn);
  }
  return fn;
}

/** "Parse error on line 3: ..." and "... - 3:5" → "line 3: ..." with the message's first line. */
function templateError(err: unknown): string {
  if (err instanceof TemplateFailure) return err.message;
  const e = err as { message?: string; lineNumber?: number };
  const text = String(e.message ?? err);
  const m = /^Parse error on line (\d+):/.exec(text);
  if (m) {
    const got = /got '([^']+)'\s*$/m.exec(text)?.[1];
    const what = got === undefined ? '' : got === 'EOF' ? ': unexpected end of template' : `: unexpected ${got}`;
    return `line ${m[1]}: syntax error${what}`;
  }
  // Handlebars' strict-mode message prints the context object after "not defined in", which
  // could be a secret map: keep only the name.
  const first = text
    .split('\n')[0]!
    .replace(/ - \d+:\d+$/, '')
    .replace(/ not defined in .*$/, ' is not defined');
  return e.lineNumber ? `line ${e.lineNumber}: ${first}` : first;
}

export interface TemplateCheck {
  refs: Ref[];
  errors: string[];
}

type Node = { type?: string; loc?: { start: { line: number } } } & Record<string, unknown>;

/**
 * Parses a template and lists the refs it reads (for fetching them before rendering), and the
 * problems a template can show before any value exists: syntax, partials, a `secret` or `has`
 * whose ref is not a literal "SOURCE:KEY".
 */
export function checkTemplate(template: string): TemplateCheck {
  let ast: unknown;
  try {
    ast = handlebars().parse(template);
    handlebars().precompile(template, compileOptions);
  } catch (err) {
    return { refs: [], errors: [templateError(err)] };
  }
  const refs = new Map<string, Ref>();
  const errors: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const n = node as Node;
    const line = n.loc ? `line ${n.loc.start.line}: ` : '';
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      errors.push(`${line}partials are not supported`);
    } else if (n.type === 'DecoratorBlock' || n.type === 'Decorator') {
      errors.push(`${line}decorators are not supported`);
    }
    const p = n.path as Node | undefined;
    const name = p && p.type === 'PathExpression' ? (p.original as string) : undefined;
    if ((name === 'secret' || name === 'has') && Array.isArray(n.params)) {
      const [first, second] = n.params as Node[];
      const ref = first?.type === 'StringLiteral' ? parseRef(first.value as string) : undefined;
      if (!ref) errors.push(`${line}${name} expects a literal "SOURCE:KEY" as its first argument`);
      else if (second && second.type !== 'StringLiteral') errors.push(`${line}${name} expects a literal FIELD name`);
      else refs.set(`${ref.source}:${ref.key}`, { source: ref.source, key: ref.key });
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'loc' && k !== 'path') visit(v);
  };
  visit(ast);
  return { refs: [...refs.values()], errors };
}

/** The refs a template needs (source and key; fields are picked at render time). */
export function templateRefs(template: string): Ref[] {
  return checkTemplate(template).refs;
}

export type TemplateResult = { ok: true; text: string } | { ok: false; missing: MissingValue[]; errors: string[] };

/** Renders against the snapshot; reports every missing value and the first template error. */
export function renderTemplate(template: string, snapshot: Snapshot): TemplateResult {
  const previous = state;
  state = { snapshot, pending: new Set() };
  try {
    const text = compiled(template)({}, runtimeOptions);
    const missing = [...state.pending].map((m) => missingValue(m.ref, m.reason));
    return missing.length ? { ok: false, missing, errors: [] } : { ok: true, text };
  } catch (err) {
    const missing = [...state.pending].map((m) => missingValue(m.ref, m.reason));
    return { ok: false, missing, errors: [templateError(err)] };
  } finally {
    state = previous;
  }
}
