import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLineSplitter, MAX_LINE } from './linesplit.ts';

/** Feeds every chunk, then ends: every line or piece given, and the rest (if any) last. */
function split(chunks: string[], maxLine?: number): string[] {
  const s = createLineSplitter(maxLine);
  const out = chunks.flatMap((c) => s.push(c));
  const rest = s.end();
  return rest ? [...out, rest] : out;
}

const cases: Array<{ name: string; chunks: string[]; maxLine?: number; want: string[] }> = [
  { name: 'lines in one chunk, no final newline', chunks: ['a\nb\nc'], want: ['a', 'b', 'c'] },
  { name: 'a line across chunks', chunks: ['ab', 'c', 'd\ne'], want: ['abcd', 'e'] },
  { name: 'empty lines kept', chunks: ['\n\na\n'], want: ['', '', 'a'] },
  { name: 'a final newline gives no empty line', chunks: ['a\n'], want: ['a'] },
  { name: 'nothing', chunks: [], want: [] },
  { name: 'a line of exactly maxLine is one piece', chunks: ['abcd\n'], maxLine: 4, want: ['abcd'] },
  { name: 'an over-long line in pieces of maxLine', chunks: ['abcdefghij\nk'], maxLine: 4, want: ['abcd', 'efgh', 'ij', 'k'] },
  { name: 'an over-long line fed in small chunks', chunks: ['ab', 'cde', 'fgh', 'ij', '\nk'], maxLine: 4, want: ['abcd', 'efgh', 'ij', 'k'] },
  { name: 'an over-long line without newline at the end', chunks: ['abcdefghij'], maxLine: 4, want: ['abcd', 'efgh', 'ij'] },
  { name: 'a surrogate pair is not cut in two', chunks: ['ab😀cd\n'], maxLine: 3, want: ['ab', '😀c', 'd'] },
];

for (const c of cases) {
  test(`createLineSplitter: ${c.name}`, () => {
    assert.deepEqual(split(c.chunks, c.maxLine), c.want);
  });
}

test('createLineSplitter: 50 MB on one line fed in 64 KiB chunks gives 64 Ki pieces that join to the whole line', () => {
  const total = 50_000_000;
  const chunk = 'x'.repeat(64 * 1024);
  const s = createLineSplitter();
  const pieces: number[] = [];
  let left = total;
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    for (const p of s.push(n === chunk.length ? chunk : chunk.slice(0, n))) pieces.push(p.length);
    left -= n;
  }
  for (const p of s.push('\nafter\n')) pieces.push(p.length);
  assert.equal(s.end(), '');
  const full = Math.floor(total / MAX_LINE);
  assert.deepEqual(pieces, [...Array<number>(full).fill(MAX_LINE), total - full * MAX_LINE, 'after'.length]);
});

test('createLineSplitter: maxLine below 1 is refused, naming it', () => {
  assert.throws(() => createLineSplitter(0), /maxLine must be at least 1, got 0/);
});
