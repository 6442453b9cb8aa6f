// YAML text → parsed documents, in memory proportional to the text. The `yaml` parser keeps a
// token object (~200 bytes) for every comment, blank line and newline until its document is
// composed, and every comment line again as a piece of a comment string: 2 MB of '#' lines took
// 400 MB. Here the lexer's output is filtered first: a run of two or more lines that hold only
// spaces and comments becomes one comment token of the same length (so every offset stays right),
// and line:col comes from an index of the text's own newlines, not from the parser's.
import type { Document } from 'yaml';
import { Composer, Lexer, Parser } from 'yaml';

export interface LinePos { line: number; col: number }

/** Zero-width markers the lexer emits (document start, scalar follows, flow error end). */
const DOCUMENT = '\x02';
const SCALAR = '\x1f';
const FLOW_END = '\x18';

type Kind = 'newline' | 'space' | 'comment' | 'other';

function kindOf(lexeme: string): Kind {
  if (lexeme === '\n' || lexeme === '\r\n') return 'newline';
  if (lexeme[0] === ' ' || lexeme[0] === '\t') return 'space';
  if (lexeme[0] === '#') return 'comment';
  return 'other';
}

/** How far a lexeme moves the parser's offset (the markers move it not at all). */
function widthOf(lexeme: string): number {
  return lexeme === DOCUMENT || lexeme === SCALAR || lexeme === FLOW_END ? 0 : lexeme.length;
}

/**
 * The lexemes of `text` with every run of two or more whole lines of only spaces and comments
 * (blank lines too) that starts a line replaced by one comment lexeme spanning the run but its last
 * newline, then that newline. The parser sees a comment line in place of the run: the same offsets,
 * the same data; only the comments' text (unused) changes. Scalars are never touched: the lexeme
 * after a scalar marker passes as it is, and block scalars arrive as one lexeme.
 */
export function* coalesceTrivia(text: string, lexemes: Iterable<string>): Generator<string> {
  let offset = 0;
  let atLineStart = false;
  let afterScalarMarker = false;
  /** lexemes of the complete lines of the current run, while it has one line only */
  let held: string[] = [];
  let runStart = -1;
  let runLines = 0;
  let lastNewline = '';
  let lastNewlineAt = 0;
  /** lexemes of the current, not yet complete line of the run */
  let partial: string[] = [];

  function* flush(): Generator<string> {
    if (runLines >= 2) {
      yield `#${text.slice(runStart + 1, lastNewlineAt)}`;
      yield lastNewline;
    } else {
      yield* held;
    }
    yield* partial;
    held = [];
    partial = [];
    runStart = -1;
    runLines = 0;
  }

  for (const lexeme of lexemes) {
    const width = widthOf(lexeme);
    const kind = afterScalarMarker ? 'other' : kindOf(lexeme);
    afterScalarMarker = lexeme === SCALAR;
    // trivia at the start of a line (and only text the lexer took verbatim) joins the run
    if (kind !== 'other' && atLineStart && text.startsWith(lexeme, offset)) {
      if (runStart < 0 && !partial.length) runStart = offset;
      partial.push(lexeme);
      if (kind === 'newline') {
        runLines++;
        if (runLines === 1) held = partial;
        else held = [];
        lastNewline = lexeme;
        lastNewlineAt = offset;
        partial = [];
      }
      offset += width;
      continue;
    }
    yield* flush();
    yield lexeme;
    offset += width;
    atLineStart = kind === 'newline';
  }
  yield* flush();
}

/** `line:col` (1-based) of offsets in `text`, from an index of its newlines built on first use. */
export function lineIndex(text: string): (offset: number) => LinePos {
  let starts: Uint32Array | undefined;

  function build(): Uint32Array {
    let n = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    const out = new Uint32Array(n);
    let k = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out[k++] = i + 1;
    return out;
  }

  return function linePos(offset: number): LinePos {
    starts ??= build();
    // the last line starting at or before offset
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - starts[low] + 1 };
  };
}

export interface ParsedYaml {
  docs: Document.Parsed[];
  linePos: (offset: number) => LinePos;
}

/** Every document of `text` (as the yaml library's parseAllDocuments), with a position lookup. */
export function parseYamlDocuments(text: string, options: { merge?: boolean } = {}): ParsedYaml {
  const parser = new Parser();
  function* tokens() {
    for (const lexeme of coalesceTrivia(text, new Lexer().lex(text))) yield* parser.next(lexeme);
    yield* parser.end();
  }
  const composer = new Composer({ ...options, prettyErrors: false });
  const docs = Array.from(composer.compose(tokens())) as Document.Parsed[];
  return { docs, linePos: lineIndex(text) };
}
