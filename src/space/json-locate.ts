/**
 * Finds where JSON text first goes wrong. V8's JSON.parse messages don't always give a position
 * ("Unexpected token '}', ... is not valid JSON"), and a line and column is what a user needs.
 */

export interface JsonSyntaxError {
  readonly offset: number;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly message: string;
}

class Fail {
  constructor(
    readonly at: number,
    readonly message: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = '"\\/bfnrt';

function scan(text: string): void {
  let i = 0;
  const found = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const fail = (message: string): never => {
    throw new Fail(i, message);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c < ' ') fail('control character inside a string (write it as an escape, e.g. \\n)');
      if (c === '\\') {
        i++;
        if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
        else if (text[i] !== undefined && ESCAPES.includes(text[i]!)) i++;
        else fail('invalid escape in a string');
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (c === '{') {
          if (text[i] !== '"') fail(`expected a double-quoted property name, found ${found()}${text[i] === '}' ? ' (trailing commas are not allowed)' : ''}`);
          string();
          ws();
          if (text[i] !== ':') fail(`expected ":" after a property name, found ${found()}`);
          i++;
        } else if (text[i] === ']') fail('expected a value, found "]" (trailing commas are not allowed)');
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail(`expected "," or "${close}", found ${found()}`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (c !== undefined && /[-0-9]/.test(c)) {
      if (!NUMBER.test(text)) fail('invalid number');
      i = NUMBER.lastIndex;
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail(`expected a value, found ${found()}`);
  };
  value();
  ws();
  if (i < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
}

/** The first syntax error in `text`, or null if it is valid JSON. */
export function findJsonError(text: string): JsonSyntaxError | null {
  try {
    scan(text);
    return null;
  } catch (e) {
    if (!(e instanceof Fail)) throw e;
    const before = text.slice(0, e.at);
    const line = before.split('\n').length;
    const column = e.at - (before.lastIndexOf('\n') + 1) + 1;
    return { offset: e.at, line, column, message: e.message };
  }
}
