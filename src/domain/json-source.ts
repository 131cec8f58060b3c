/**
 * JSON text parsed together with where each key and value sits in it, so that an error
 * in a configuration file can name its line. Strict RFC 8259: no comments, no trailing
 * commas. A key given twice in one object is an error (JSON.parse silently keeps the
 * last one, which hides a typo'd copy-paste). Pure, no I/O.
 */

export interface SourcePosition {
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units */
  column: number;
}

export type JsonPath = readonly (string | number)[];

export interface PositionedJson {
  value: unknown;
  /**
   * By JSON pointer ("" for the whole document, "/sets/data/paths"): where the member's
   * KEY is for object members (the line a reader looks for), where the value starts for
   * array items and for the document itself.
   */
  positions: Map<string, SourcePosition>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: SourcePosition,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** RFC 6901: "/sets/my~1set/paths/0". */
export function jsonPointer(path: JsonPath): string {
  return path.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** The position recorded for `path`, or for its nearest ancestor that has one. */
export function positionOf(parsed: PositionedJson, path: JsonPath): SourcePosition {
  for (let length = path.length; length >= 0; length--) {
    const found = parsed.positions.get(jsonPointer(path.slice(0, length)));
    if (found) return found;
  }
  return { line: 1, column: 1 };
}

export function parseJsonWithPositions(source: string): PositionedJson {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const positions = new Map<string, SourcePosition>();
  let at = 0;

  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const positionAt = (offset: number): SourcePosition => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - lineStarts[low]! + 1 };
  };
  const fail = (message: string, offset = at): never => {
    throw new JsonSyntaxError(message, positionAt(offset));
  };
  const describe = (offset: number) => (offset >= text.length ? 'the end of the file' : JSON.stringify(text[offset]));
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at += 1;
  };
  const expect = (char: string) => {
    if (text[at] !== char) fail(`expected ${JSON.stringify(char)} but found ${describe(at)}`);
    at += 1;
  };

  const parseString = (): string => {
    const start = at;
    expect('"');
    let out = '';
    for (;;) {
      if (at >= text.length) fail('a string is not closed', start);
      const char = text[at]!;
      if (char === '"') {
        at += 1;
        return out;
      }
      if (char === '\\') {
        const escaped = text[at + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (escaped !== undefined && escaped in simple) {
          out += simple[escaped];
          at += 2;
        } else if (escaped === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) {
          out += String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16));
          at += 6;
        } else {
          fail(`invalid escape \\${escaped ?? ''} in a string`);
        }
        continue;
      }
      if (char < ' ') fail('a control character (such as a line break) inside a string: write it as \\n');
      out += char;
      at += 1;
    }
  };

  const parseValue = (path: (string | number)[]): unknown => {
    skipSpace();
    const start = at;
    if (path.length === 0 || typeof path[path.length - 1] === 'number')
      positions.set(jsonPointer(path), positionAt(start));
    const char = text[at];
    if (char === '{') {
      at += 1;
      const object: Record<string, unknown> = {};
      let comma = -1;
      skipSpace();
      if (text[at] === '}') {
        at += 1;
        return object;
      }
      for (;;) {
        skipSpace();
        const keyStart = at;
        if (text[at] === '}' && comma >= 0) fail('a comma before "}" (trailing commas are not allowed in JSON)', comma);
        if (text[at] !== '"') fail(`expected a key in double quotes but found ${describe(at)}`);
        const key = parseString();
        if (Object.hasOwn(object, key))
          fail(`the key ${JSON.stringify(key)} appears twice in the same object`, keyStart);
        positions.set(jsonPointer([...path, key]), positionAt(keyStart));
        skipSpace();
        expect(':');
        Object.defineProperty(object, key, {
          value: parseValue([...path, key]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skipSpace();
        if (text[at] === ',') {
          comma = at;
          at += 1;
          continue;
        }
        if (text[at] === '}') {
          at += 1;
          return object;
        }
        fail(`expected "," or "}" but found ${describe(at)}`);
      }
    }
    if (char === '[') {
      at += 1;
      const array: unknown[] = [];
      skipSpace();
      if (text[at] === ']') {
        at += 1;
        return array;
      }
      for (;;) {
        array.push(parseValue([...path, array.length]));
        skipSpace();
        if (text[at] === ',') {
          const comma = at;
          at += 1;
          skipSpace();
          if (text[at] === ']') fail('a comma before "]" (trailing commas are not allowed in JSON)', comma);
          continue;
        }
        if (text[at] === ']') {
          at += 1;
          return array;
        }
        fail(`expected "," or "]" but found ${describe(at)}`);
      }
    }
    if (char === '"') return parseString();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(at, at + 400),
    )?.[0];
    if (literal) {
      at += literal.length;
      return literal === 'true' ? true : literal === 'false' ? false : literal === 'null' ? null : Number(literal);
    }
    if (char === '/') return fail('comments are not allowed in JSON');
    if (char === "'") return fail('strings must use double quotes');
    return fail(`expected a value but found ${describe(at)}`);
  };

  const value = parseValue([]);
  skipSpace();
  if (at < text.length) fail(`unexpected ${describe(at)} after the end of the document`);
  return { value, positions };
}
