import { realpathSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { spaceFileSchema } from './schema.js';

/** Identifies the schema; space files point at the file itself through their `$schema` key. */
export const SPACE_SCHEMA_ID = 'urn:tune:search-space:v1';

/**
 * The space file format as JSON Schema, for editors (completion, hover docs, red squiggles).
 * Draft-07 because it is the draft editors support best. `io: 'input'` describes what users write:
 * fields with defaults are optional there.
 */
export function spaceJsonSchema(): Record<string, unknown> {
  const { $schema, description, ...rest } = z.toJSONSchema(spaceFileSchema, { target: 'draft-07', io: 'input' });
  return { $schema, $id: SPACE_SCHEMA_ID, title: 'tune search space', description, ...rest };
}

/** Exactly the text of `search-spaces/space.schema.json`; a test compares them, so a stale file fails. */
export function spaceJsonSchemaText(): string {
  return `${JSON.stringify(spaceJsonSchema(), null, 2)}\n`;
}

function isMain(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(resolve(script)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const out = process.argv[2];
  if (out === undefined) process.stdout.write(spaceJsonSchemaText());
  else writeFileSync(out, spaceJsonSchemaText());
}
