// A reader that follows the parsing rules of the `dotenv` npm package (v16), written from its
// documented behaviour, so that env-format files can be checked without the package:
// - CR and CRLF become LF before anything else;
// - a line is NAME=VALUE (optional `export `), NAME of word characters, dots and dashes;
// - VALUE is a single-, double- or back-quoted string that may span lines (a backslash before
//   the quote character does not end it), or else the rest of the line up to a `#`;
// - the captured value is trimmed, one pair of matching outer quotes is removed, and only in
//   double quotes are the two-character sequences \n and \r turned into LF and CR.
// If the `dotenv` package is ever installed, test/unit/core-env-quote.test.ts also runs it.

const line =
  /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/gm;

export function parseEnvLikeDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const src = text.replace(/\r\n?/gm, '\n');
  line.lastIndex = 0;
  for (let m = line.exec(src); m !== null; m = line.exec(src)) {
    let value = (m[2] ?? '').trim();
    const quote = value[0];
    value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
    if (quote === '"') value = value.replace(/\\n/g, '\n').replace(/\\r/g, '\r');
    out[m[1]!] = value;
  }
  return out;
}
