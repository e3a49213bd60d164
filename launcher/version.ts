// hush's version, from package.json: one level up from the sources, two from dist/.
export function hushVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      return (require(candidate) as { version: string }).version;
    } catch {
      // Not at this level.
    }
  }
  return 'unknown';
}
