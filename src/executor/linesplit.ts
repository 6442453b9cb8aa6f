// Splits text arriving in chunks into lines, in time linear in the text: each chunk is searched
// for '\n' once, and what is kept between chunks is at most one piece long. A line longer than
// `maxLine` is given in pieces of `maxLine` characters (a step printing 50 MB without a newline
// shows as many lines of 64 Ki characters; the log file itself keeps every byte).

/** Default longest piece of a line, in UTF-16 code units: 64 Ki. */
export const MAX_LINE = 64 * 1024;

export interface LineSplitter {
  /**
   * The lines (and pieces of over-long lines) completed by `text`; when `complete` is given, a flag
   * per returned string is pushed onto it: true for a line its newline ended, false for a piece.
   */
  push(text: string, complete?: boolean[]): string[];
  /** What is left after the last newline ('' when nothing), then the splitter is empty again. */
  end(): string;
}

/** Where to cut `s` at most `max` code units in, without splitting a surrogate pair. */
function cutAt(s: string, from: number, max: number): number {
  const at = from + max;
  const c = s.charCodeAt(at - 1);
  return c >= 0xd800 && c <= 0xdbff && max > 1 ? at - 1 : at;
}

/** A splitter for one stream; `maxLine` (default {@link MAX_LINE}) bounds every piece it gives. */
export function createLineSplitter(maxLine = MAX_LINE): LineSplitter {
  if (!(maxLine >= 1)) throw new RangeError(`maxLine must be at least 1, got ${maxLine}`);
  let pending = '';

  /** `pending` grown past maxLine: the full pieces out, the rest kept. */
  function pieces(out: string[], complete?: boolean[]): void {
    let from = 0;
    while (pending.length - from > maxLine) {
      const to = cutAt(pending, from, maxLine);
      out.push(pending.slice(from, to));
      complete?.push(false);
      from = to;
    }
    pending = pending.slice(from);
  }

  function push(text: string, complete?: boolean[]): string[] {
    const out: string[] = [];
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      // pending holds at most maxLine, so this concatenation is bounded by the chunk's own size
      pending += text.slice(from, nl);
      pieces(out, complete);
      out.push(pending);
      complete?.push(true);
      pending = '';
      from = nl + 1;
    }
    pending += text.slice(from);
    pieces(out, complete);
    return out;
  }

  function end(): string {
    const rest = pending;
    pending = '';
    return rest;
  }

  return { push, end };
}
