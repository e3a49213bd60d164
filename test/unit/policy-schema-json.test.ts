import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { policyJsonSchema } from '../../agent/config/schema';

describe('policies/schema.json', () => {
  it('is what scripts/gen-policy-schema.js generates from the zod schema (regenerate it if this fails)', () => {
    const committed = readFileSync(path.resolve(__dirname, '../../policies/schema.json'), 'utf8');
    expect(committed).toBe(JSON.stringify(policyJsonSchema(), null, 2) + '\n');
  });

  it('rejects unknown keys and describes the formats', () => {
    const schema = policyJsonSchema() as { additionalProperties?: boolean; required?: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'name']));
    expect(JSON.stringify(schema)).toContain('"template"');
  });
});
