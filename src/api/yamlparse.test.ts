import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Document, Lexer, parseAllDocuments } from 'yaml';
import { coalesceTrivia, lineIndex, parseYamlDocuments } from './yamlparse.ts';

const lexemes = (text: string): string[] => [...coalesceTrivia(text, new Lexer().lex(text))];
/** Offsets move by every lexeme but the zero-width markers. */
const width = (ls: string[]): number => ls.filter((l) => !['\x02', '\x1f', '\x18'].includes(l)).join('').length;

test('coalesceTrivia: runs of comment and blank lines reach the parser as one comment line', async (t) => {
  const cases: Array<{ name: string; text: string; comments: string[] }> = [
    { name: 'a run of comments becomes one comment of the same length', text: 'a: 1\n# x\n  # y\n\n#z\nb: 2\n', comments: ['# x\n  # y\n\n#z'] },
    { name: 'a run starting with a blank line and indentation', text: 'a: 1\n\n   \n\t# t\nb: 2\n', comments: ['#   \n\t# t'] },
    { name: 'one comment line is left as it is', text: 'a: 1\n  # only\nb: 2\n', comments: ['# only'] },
    { name: 'a comment after a value is not a run', text: 'a: 1 # c\n# d\nb: 2\n', comments: ['# c', '# d'] },
    { name: 'lines of a block scalar are content, not comments', text: 'a: |\n  # not a comment\n\n  # nor this\nb: 2\n', comments: [] },
    { name: 'a run ending the file without a newline', text: 'a: 1\n# x\n# y\n# z', comments: ['# x\n# y', '# z'] },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const ls = lexemes(c.text);
      assert.deepEqual(ls.filter((l) => l.startsWith('#')), c.comments);
      assert.equal(width(ls), c.text.length, 'every offset after the run is unchanged');
    });
  }
});

test('coalesceTrivia: 200,000 comment lines reach the parser as 2 lexemes, not 400,000', () => {
  const text = `a: 1\n${'# comment\n'.repeat(200_000)}b: 2\n`;
  const ls = lexemes(text);
  assert.equal(ls.length, [...new Lexer().lex('a: 1\n# c\nb: 2\n')].length);
  assert.equal(width(ls), text.length);
});

/** The data, errors and warnings (code and offsets) of every document: what kiln reads. */
function meaning(docs: readonly Document[]): string {
  return JSON.stringify(docs.map((d) => [
    d.toJS({ maxAliasCount: 1000 }),
    d.errors.map((e) => [e.code, e.pos]),
    d.warnings.map((e) => [e.code, e.pos]),
  ]));
}

test('parseYamlDocuments: the same documents, errors and offsets as the yaml library', async (t) => {
  const C = '# c\n  # d\n\n\t# e\n';
  const cases: Array<{ name: string; text: string }> = [
    { name: 'comments between keys at every depth', text: `a:\n${C}  b:\n${C}    c: 1\n${C}  d: 2\n${C}e: 3\n` },
    { name: 'comments between list items and before an empty value', text: `l:\n${C}  - 1\n${C}  -\n${C}  - x: 1\n${C}    y: 2\nk:\n${C}m: 1\n` },
    { name: 'comment-like lines inside block scalars', text: `s: |\n  a\n${C.replace(/^/gm, '  ')}  b\nf: >-\n  x\n\n  # y\nn: 1\n` },
    { name: 'comments inside flow collections', text: `f: [1,\n${C} 2, {a: 1,\n${C}  b: 2}]\n` },
    { name: 'multi-line quoted and plain scalars', text: `q: "a\n${C}  b"\np: x\n  y\n${C}  z\n` },
    { name: 'documents, directives, end markers', text: `${C}%YAML 1.2\n---\n${C}a: 1\n...\n${C}---\nb: 2\n${C}` },
    { name: 'CRLF line ends', text: 'a: 1\r\n# c\r\n\r\n# d\r\nb: [1,\r\n# e\r\n# f\r\n 2]\r\n' },
    { name: 'tabs, anchors and an error after comments', text: `a: &x {b: 1}\n${C}c: *x\n${C}d: [1\n${C}e:\t1\n` },
    { name: 'only comments', text: C + C },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      assert.equal(meaning(parseYamlDocuments(c.text, { merge: true }).docs), meaning(parseAllDocuments(c.text, { merge: true })));
    });
  }
});

test('lineIndex: 1-based line and column of offsets, \\r\\n counting as one line end', () => {
  const text = 'ab\n\ncd\r\nef';
  const at = lineIndex(text);
  assert.deepEqual([0, 1, 3, 4, 6, 8, 10].map(at), [
    { line: 1, col: 1 }, { line: 1, col: 2 }, { line: 2, col: 1 }, { line: 3, col: 1 },
    { line: 3, col: 3 }, { line: 4, col: 1 }, { line: 4, col: 3 },
  ]);
  assert.deepEqual(lineIndex('')(0), { line: 1, col: 1 });
});
