/** How the PostgreSQL connection reads column types (no server needed): int8 as numbers, timestamptz left as text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { typeParsers } from '../../src/storage/postgres/connection.js';

const parse = (oid: number, text: string): unknown => (typeParsers.getTypeParser(oid, 'text') as (v: string) => unknown)(text);

test('int8 is a number, timestamptz (lease_until) stays its text, other types as node-postgres reads them', () => {
  assert.equal(parse(20, '9007199254740991'), 9007199254740991);
  assert.equal(parse(1184, '2026-12-02 13:58:14.123+00'), '2026-12-02 13:58:14.123+00', 'no Date built per trial row');
  assert.equal(parse(23, '42'), 42);
  assert.equal(parse(16, 't'), true);
});
