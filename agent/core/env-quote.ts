// Quoting for env-format files, so that both `set -a; . ./file` (POSIX sh, bash, dash) and
// dotenv parsers read every value back byte for byte.
//
// - Single quotes are exact in sh (nothing inside is special) and in dotenv (no escapes are
//   processed inside them). They cannot hold a single quote, and dotenv's pattern treats a
//   backslash before the closing quote as an escaped quote, so a value may not end in `\`.
// - A value with a single quote goes in double quotes, which is exact in both only when the
//   value has none of `"`, `$`, backquote and backslash (sh expands those; dotenv turns `\n`
//   into a newline).
// - dotenv turns every CR into LF before parsing, so a CR can never round-trip; a NUL cannot
//   live in an environment at all.
// Values that fit none of these are refused; the message names the rule, never the value.

export type Quoted = { ok: true; text: string } | { ok: false; reason: string };

export function quoteEnvValue(value: string): Quoted {
  if (value.includes('\0')) return { ok: false, reason: 'contains a NUL character' };
  if (value.includes('\r')) return { ok: false, reason: 'contains a carriage return, which dotenv turns into a newline' };
  if (value.endsWith('\\')) return { ok: false, reason: 'ends with a backslash, which dotenv reads as an escaped quote' };
  if (!value.includes("'")) return { ok: true, text: `'${value}'` };
  if (!/["$`\\]/.test(value)) return { ok: true, text: `"${value}"` };
  return {
    ok: false,
    reason: 'contains a single quote together with one of " $ ` \\, which no quoting reads back the same in both sh and dotenv',
  };
}
