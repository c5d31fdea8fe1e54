import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { formatPath, InputError } from '../../src/core/errors.js';
import { loadSpace, parseSpace, spaceJsonSchema, spaceJsonSchemaText } from '../../src/space/index.js';
import { findJsonError } from '../../src/space/json-locate.js';

const FIXTURES = resolve('test/fixtures/spaces');

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected an InputError');
}

describe('loadSpace', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tune-space-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('reports a missing file at the root path', () => {
    const e = inputError(() => loadSpace(join(tmp, 'nope.json')));
    assert.equal(e.exitCode, 2);
    assert.equal(e.file, join(tmp, 'nope.json'));
    assert.deepEqual(e.issues, [{ path: [], message: 'file not found' }]);
  });

  it('reports a directory instead of a file', () => {
    assert.match(inputError(() => loadSpace(tmp)).issues[0]!.message, /found a directory/);
  });

  it('reports bad JSON with line and column', () => {
    const e = inputError(() => loadSpace(join(FIXTURES, 'bad-syntax.json')));
    assert.equal(e.issues.length, 1);
    assert.deepEqual(e.issues[0]!.path, []);
    assert.equal(e.issues[0]!.message, 'invalid JSON at line 3, column 44: expected a double-quoted property name, found "}" (trailing commas are not allowed)');
  });

  it('reports bad JSON where V8 gives no position', () => {
    const file = join(tmp, 'tru.json');
    writeFileSync(file, '{\n  "a": tru\n}\n');
    assert.match(inputError(() => loadSpace(file)).issues[0]!.message, /^invalid JSON at line 2, column 8: expected a value, found "t"/);
  });

  it('accepts a UTF-8 byte order mark', () => {
    const file = join(tmp, 'bom.json');
    writeFileSync(file, `\uFEFF${readFileSync(resolve('search-spaces/adam.json'), 'utf8')}`);
    assert.equal(loadSpace(file).name, 'adam-mnist');
  });

  it('resolves a csv path against the space file, not the working directory', () => {
    const space = loadSpace(join(FIXTURES, 'csv-space.json'));
    assert.ok(space.task.data !== undefined && 'csv' in space.task.data);
    assert.ok(isAbsolute(space.task.data.csv));
    assert.equal(space.task.data.csv, join(FIXTURES, 'data', 'tiny.csv'));
    assert.equal(space.task.data.label, 'label');
    assert.equal(space.objective.direction, 'minimize');
  });

  it('reports a missing csv at task.data.csv', () => {
    const e = inputError(() => loadSpace(join(FIXTURES, 'missing-csv.json')));
    assert.deepEqual(e.issues.map((i) => formatPath(i.path)), ['task.data.csv']);
    assert.match(e.issues[0]!.message, /file not found: .*data[/\\]nope\.csv/);
  });

  it('skips the csv check when asked to, still resolving the path', () => {
    const raw: unknown = JSON.parse(readFileSync(join(FIXTURES, 'missing-csv.json'), 'utf8'));
    const space = parseSpace(raw, join(FIXTURES, 'missing-csv.json'), { checkFiles: false });
    assert.deepEqual(space.task.data, { csv: join(FIXTURES, 'data', 'nope.csv'), label: 'y' });
  });

  it('lists a missing csv together with schema problems', () => {
    const raw: unknown = JSON.parse(readFileSync(join(FIXTURES, 'missing-csv.json'), 'utf8'));
    Object.assign(raw as object, { seed: 'x' });
    const paths = inputError(() => parseSpace(raw, join(FIXTURES, 'missing-csv.json'))).issues.map((i) => formatPath(i.path));
    assert.deepEqual(paths.sort(), ['seed', 'task.data.csv']);
  });
});

describe('findJsonError', () => {
  const cases: [string, number, number, RegExp][] = [
    ['{"a": }', 1, 7, /expected a value, found "}"/],
    ['{"a": 1', 1, 8, /expected "," or "}", found the end of the file/],
    ['[1, 2,]', 1, 7, /trailing commas/],
    ['{"a" 1}', 1, 6, /expected ":"/],
    ['{\n"a": "x\ny"}', 2, 8, /control character/],
    ['{"a": 01}', 1, 8, /expected "," or "}"/],
    ['{} x', 1, 4, /after the end of the JSON value/],
    ['', 1, 1, /expected a value, found the end of the file/],
  ];
  for (const [text, line, column, message] of cases) {
    it(`locates the error in ${JSON.stringify(text)}`, () => {
      const err = findJsonError(text);
      assert.ok(err !== null);
      assert.deepEqual([err.line, err.column], [line, column]);
      assert.match(err.message, message);
    });
  }

  it('accepts valid JSON', () => {
    assert.equal(findJsonError('{"a": [1, -2.5e3, true, null, "\\u00e9\\n"], "b": {}}'), null);
  });
});

describe('space.schema.json', () => {
  it('is up to date with the zod schema (regenerate: npx tsx src/space/emit-schema.ts search-spaces/space.schema.json)', () => {
    assert.equal(readFileSync(resolve('search-spaces/space.schema.json'), 'utf8'), spaceJsonSchemaText());
  });

  it('is draft-07, identified, documented, strict, and allows $schema', () => {
    const schema = spaceJsonSchema();
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(typeof schema.$id, 'string');
    assert.equal(typeof schema.title, 'string');
    assert.equal(typeof schema.description, 'string');
    assert.equal(schema.additionalProperties, false);
    const properties = schema.properties as Record<string, { description?: string }>;
    assert.ok(properties.$schema);
    for (const key of ['name', 'objective', 'task', 'params', 'strategy', 'seed']) {
      assert.ok(properties[key]?.description, `${key} should be documented`);
    }
    assert.deepEqual(schema.required, ['name', 'objective', 'task', 'params', 'strategy']);
  });
});
