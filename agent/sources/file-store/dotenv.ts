// A strict dotenv reader and writer, shared by `import FILE.env`, `export --format env` and the
// `edit` view. Values are bytes: double quotes take \n \r \t \" \\ and \xNN (any byte), single
// quotes are literal, both may span lines. Duplicate names and conflict markers are errors.
// Nothing is expanded (no $VAR), so what you write is what is stored.

import { E } from './errors';
import { decodeUtf8 } from './encoding';
import { nameProblem } from './names';

const markerLine = /^(?:<{7}|={7}|>{7}|\|{7})(?: |$)/;

export function parseDotenv(text: string, where: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const bad = (line: number, what: string) => E.HUSH_ERR_STORE_PARSE_INPUT(where, line, what);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (markerLine.test(line)) throw bad(lineNo, 'unresolved conflict marker: keep one NAME=value line per name and delete the markers');
    let rest = line.replace(/^\s*export\s+/, '');
    const eq = rest.indexOf('=');
    if (eq < 0) throw bad(lineNo, "expected NAME=value");
    const name = rest.slice(0, eq).trim();
    const problem = nameProblem(name);
    if (problem) throw bad(lineNo, `bad name ${JSON.stringify(name.slice(0, 80))}: ${problem}`);
    if (out.has(name)) throw bad(lineNo, `"${name}" appears twice`);
    rest = rest.slice(eq + 1).replace(/^[ \t]+/, '');
    const quote = rest[0];
    if (quote === '"' || quote === "'") {
      // Gather lines until the closing quote.
      let body = rest.slice(1);
      let j = i;
      let parsed: { bytes: number[]; end: number } | undefined;
      for (;;) {
        parsed = quote === '"' ? scanDouble(body) : scanSingle(body);
        if (parsed) break;
        j++;
        if (j >= lines.length) throw bad(lineNo, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value`);
        body += '\n' + lines[j]!;
      }
      const after = body.slice(parsed.end + 1).trim();
      if (after !== '' && !after.startsWith('#')) throw bad(j + 1, 'unexpected text after the closing quote');
      out.set(name, Uint8Array.from(parsed.bytes));
      i = j;
      continue;
    }
    let value = rest;
    const comment = value.search(/\s#/);
    if (comment >= 0) value = value.slice(0, comment);
    out.set(name, new Uint8Array(Buffer.from(value.trimEnd(), 'utf8')));
  }
  return out;
}

function pushUtf8(bytes: number[], text: string): void {
  for (const b of Buffer.from(text, 'utf8')) bytes.push(b);
}

/** Scans a double-quoted body (after the opening quote). Returns undefined when unterminated. */
function scanDouble(body: string): { bytes: number[]; end: number } | undefined {
  const bytes: number[] = [];
  let i = 0;
  let start = 0;
  while (i < body.length) {
    const c = body[i];
    if (c === '"') {
      pushUtf8(bytes, body.slice(start, i));
      return { bytes, end: i };
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    pushUtf8(bytes, body.slice(start, i));
    const esc = body[i + 1];
    if (esc === undefined) return undefined;
    if (esc === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 2, i + 4))) {
      bytes.push(parseInt(body.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$', '\n': '\n' };
      const mapped = map[esc];
      pushUtf8(bytes, mapped ?? '\\' + esc);
      i += 2;
    }
    start = i;
  }
  return undefined;
}

function scanSingle(body: string): { bytes: number[]; end: number } | undefined {
  const end = body.indexOf("'");
  if (end < 0) return undefined;
  const bytes: number[] = [];
  pushUtf8(bytes, body.slice(0, end));
  return { bytes, end };
}

const plainValue = /^[A-Za-z0-9_.,:;/@+=%^*!?~()[\]{}<>|&-]*$/;

/** Formats a value for a dotenv line: bare when it is plain, else double-quoted with escapes. */
export function formatDotenvValue(value: Uint8Array): string {
  const text = decodeUtf8(value);
  if (text !== undefined && plainValue.test(text)) return text;
  let out = '"';
  if (text !== undefined) {
    for (const ch of text) {
      const code = ch.codePointAt(0)!;
      if (ch === '\\') out += '\\\\';
      else if (ch === '"') out += '\\"';
      else if (ch === '\n') out += '\\n';
      else if (ch === '\r') out += '\\r';
      else if (ch === '\t') out += '\\t';
      else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
      else out += ch;
    }
  } else {
    for (const b of value) {
      if (b === 0x5c) out += '\\\\';
      else if (b === 0x22) out += '\\"';
      else if (b === 0x0a) out += '\\n';
      else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
      else out += '\\x' + b.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

export function formatDotenv(values: ReadonlyMap<string, Uint8Array>): string {
  return [...values].map(([name, value]) => `${name}=${formatDotenvValue(value)}\n`).join('');
}
