import { quoteEnvValue } from '../../agent/core/env-quote';

/** Values that must read back exactly: quotes, $, backslashes, newlines, #, spaces, unicode. */
export const roundTripValues: string[] = [
  '',
  'plain',
  ' leading and trailing ',
  'with # hash',
  '#start',
  'dollar $HOME ${X} $(id) `id`',
  'double " quote',
  'back\\slash in \\n the middle',
  'line one\nline two\n',
  '\n\nblank lines\n\n',
  "it's",
  "it's\nmulti-line 'quoted'",
  'tab\there',
  'équipe 😀 ü',
  '=equals=',
  'export X=1',
  "'",
  '"',
  '\\',
].filter((v) => quoteEnvValue(v).ok);
