// Go's encoding/json: Marshal's output (also through bindings: bindings.test.ts) and Unmarshal's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareUTF8, goJsonSyntaxError, goJsonUnmarshalObject, goMarshal } from './gojson.ts';

test('goMarshal: sorted keys, HTML escaping, Go number forms', () => {
  assert.equal(goMarshal({ b: 1, a: [true, null, 'x<y>&z'], c: { z: 1e21, y: 1e-7, x: 0.5, w: -0 } }), '{"a":[true,null,"x\\u003cy\\u003e\\u0026z"],"b":1,"c":{"w":-0,"x":0.5,"y":1e-7,"z":1e+21}}');
  assert.equal(goMarshal('tab\t nl\n \u2028 \u0001 "q" \\'), '"tab\\t nl\\n \\u2028 \\u0001 \\"q\\" \\\\"');
  assert.throws(() => goMarshal(NaN), /unsupported value: NaN/);
});

test("goJsonSyntaxError: encoding/json's messages", () => {
  const cases: [string, string | undefined][] = [
    ['{"a":1}', undefined],
    [' [1, 2.5e-3, "x\\u00e9", true, false, null] ', undefined],
    ['testing', "invalid character 'e' in literal true (expecting 'r')"],
    ['nul', 'unexpected end of JSON input'],
    ['', 'unexpected end of JSON input'],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b":2}', `invalid character '"' after object key:value pair`],
    ['{a:1}', "invalid character 'a' looking for beginning of object key string"],
    ['[1 2]', "invalid character '2' after array element"],
    ['{"a":1}}', "invalid character '}' after top-level value"],
    ['01', "invalid character '1' after top-level value"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
  ];
  for (const [text, want] of cases) assert.equal(goJsonSyntaxError(text), want, text);
  assert.deepEqual(goJsonUnmarshalObject('null'), { value: {} });
  assert.deepEqual(goJsonUnmarshalObject('"s"'), { error: 'json: cannot unmarshal string into Go value of type map[string]interface {}' });
  assert.deepEqual(goJsonUnmarshalObject('true'), { error: 'json: cannot unmarshal bool into Go value of type map[string]interface {}' });
});

test('goMarshal: NaN and ±Inf are errors, undefined members left out', () => {
  assert.throws(() => goMarshal(Infinity), /^Error: json: unsupported value: \+Inf$/);
  assert.throws(() => goMarshal([-Infinity]), /^Error: json: unsupported value: -Inf$/);
  assert.equal(goMarshal({ a: undefined, b: [undefined] }), '{"b":[null]}');
  assert.equal(goMarshal(12345678901234567890n), '12345678901234567890');
});

test('compareUTF8: map keys in UTF-8 byte order, a lone surrogate as U+FFFD', () => {
  // U+FFEE < U+FFFD (what a lone surrogate encodes to) < U+10000; UTF-16 order would put the surrogates first
  assert.equal(goMarshal({ '\u{10000}': 3, '\uffee': 1, '\ud800': 2, '': 0 }), '{"":0,"\uffee":1,"\\ufffd":2,"\u{10000}":3}');
  const utf8 = new TextEncoder();
  const bytewise = (a: string, b: string) => Buffer.compare(utf8.encode(a), utf8.encode(b));
  const samples = ['', 'a', 'ab', 'b', '\u00e9', '\ue000', '\uffee', '\ufffd', '\uffff', '\ud800', '\udc00', '\ud800a', '\u{10000}', '\u{10000}a', '\u{1f600}', 'a\u{1f600}', 'a\ud83d'];
  for (const a of samples) for (const b of samples) assert.equal(Math.sign(compareUTF8(a, b)), bytewise(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});
