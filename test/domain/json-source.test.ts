import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { JsonSyntaxError, parseJsonWithPositions } from '../../src/domain/json-source.ts';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonWithPositions(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`parsed: ${text}`);
}

test('a string escape is read as JSON reads it', () => {
  const parsed = parseJsonWithPositions('{"a": "q\\"b\\\\s\\/n\\nu\\u00e9"}');
  assert.equal(parsed.value, { a: 'q"b\\s/n\nué' });
});

test('an unknown string escape is an error that names the escape and where it is', () => {
  const error = syntaxError('{\n  "a": "x\\qy"\n}');
  assert.match(error.message, /invalid escape \\q in a string/);
  assert.is(error.position.line, 2);
});

test('a backslash at the end of the text is an error, not a crash', () => {
  assert.instance(syntaxError('"abc\\'), JsonSyntaxError);
});

test('a key given twice in one object is an error', () => {
  assert.match(syntaxError('{"a": 1, "a": 2}').message, /the key "a" appears twice/);
});

test.run();
