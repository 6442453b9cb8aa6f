// Secret masking: every occurrence of a secret value (and of the forms it is commonly shown in)
// is replaced by `***` in a byte stream as it is written, the way GitHub Actions masks logs.
// Pure: an Aho–Corasick automaton over the patterns' bytes, one pass over each byte, holding back
// only the longest tail that could still be the start of a pattern.
import type { ExecutionPlan } from './executor.ts';

/** What a masked region is replaced by. */
export const MASK = '***';

/**
 * Shortest value (or line of a multi-line value, or encoded form) that is masked, in characters:
 * shorter ones (`on`, `1`, `yes`) occur everywhere and would mask noise, not secrets.
 */
export const MIN_MASKED_LENGTH = 4;

/**
 * Longest value (in characters) whose JSON and base64 forms are masked too: each form costs the
 * automaton a state per byte, and a value this large (a CA bundle) is masked by itself and its lines.
 */
export const MAX_ENCODED_LENGTH = 64 * 1024;

/** Rewrites one output stream; `write` may hold back a tail (bounded by the longest pattern) until more comes or `end()`. */
export interface StreamMask {
  write(chunk: Uint8Array): Buffer;
  end(): Buffer;
}

/** A compiled set of patterns: a stream filter factory and a whole-text masker. */
export interface Masker {
  /** a fresh filter for one stream (filters of one masker share the automaton, not their state) */
  filter(): StreamMask;
  /** `text` with every pattern masked */
  mask(text: string): string;
}

/**
 * The strings to mask for secret `values`: each value; each trimmed line of a multi-line value;
 * the value's JSON string form when it differs (quotes, backslashes); its base64 — padded as
 * `base64 <file>` prints it alone, and the three alignment-independent cores that appear wherever
 * the value sits inside a longer base64 text (those two for values up to {@link MAX_ENCODED_LENGTH}).
 * Anything shorter than {@link MIN_MASKED_LENGTH} is left out.
 */
export function maskPatterns(values: Iterable<string>): string[] {
  const out = new Set<string>();
  const add = (s: string) => { if (s.length >= MIN_MASKED_LENGTH) out.add(s); };
  for (const v of values) {
    if (/[\r\n]/.test(v)) for (const line of v.split(/\r?\n|\r/)) add(line.trim());
    if (v.trim().length < MIN_MASKED_LENGTH) continue;
    add(v);
    if (v.length > MAX_ENCODED_LENGTH) continue;
    add(JSON.stringify(v).slice(1, -1));
    const bytes = Buffer.from(v, 'utf8');
    add(bytes.toString('base64'));
    for (const shift of [0, 1, 2]) add(base64Core(bytes, shift));
  }
  return [...out];
}

/**
 * The base64 characters that depend on `bytes` alone when they follow `shift` (0–2) other bytes
 * of a longer input: what is left of its encoding once the characters shared with its neighbours are cut.
 */
export function base64Core(bytes: Uint8Array, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
  const start = Math.ceil((shift * 8) / 6);
  const end = Math.floor(((shift + bytes.length) * 8) / 6);
  return encoded.slice(start, end);
}

/** The automaton: goto (root dense, the rest one map keyed `state * 256 + byte`), failure links, and per state the longest pattern ending there. */
interface Automaton {
  root: Int32Array;
  /** 1 at `b0 << 8 | b1` when some pattern starts with bytes b0 b1 (every pattern has at least two) */
  pairs: Uint8Array;
  edges: Map<number, number>;
  fail: Int32Array;
  depth: Int32Array;
  /** length of the longest pattern that is a suffix of the state's string (0: none) */
  out: Int32Array;
}

function build(patterns: readonly Uint8Array[]): Automaton {
  const edges = new Map<number, number>();
  const depths = [0];
  const ends = [0];
  const children: number[][] = [[]];
  for (const p of patterns) {
    let s = 0;
    for (const b of p) {
      let t = edges.get(s * 256 + b);
      if (t === undefined) {
        t = depths.length;
        edges.set(s * 256 + b, t);
        children[s].push(b);
        children.push([]);
        depths.push(depths[s] + 1);
        ends.push(0);
      }
      s = t;
    }
    ends[s] = Math.max(ends[s], p.length);
  }
  const fail = new Int32Array(depths.length);
  const out = Int32Array.from(ends);
  const queue: number[] = children[0].map((b) => edges.get(b)!);
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q];
    out[s] = Math.max(out[s], out[fail[s]]);
    for (const b of children[s]) {
      const t = edges.get(s * 256 + b)!;
      let f = fail[s];
      while (f !== 0 && !edges.has(f * 256 + b)) f = fail[f];
      fail[t] = edges.get(f * 256 + b) ?? 0;
      queue.push(t);
    }
  }
  const root = new Int32Array(256);
  for (const b of children[0]) root[b] = edges.get(b)!;
  const pairs = new Uint8Array(65536);
  for (const p of patterns) pairs[(p[0] << 8) | p[1]] = 1;
  return { root, pairs, edges, fail, depth: Int32Array.from(depths), out };
}

/** A masked region [start, end] (absolute byte offsets, inclusive); `shown` once its `***` was written. */
interface Region { start: number; end: number; shown: boolean }

const MASK_BYTES = Buffer.from(MASK);

/** One stream's state over a shared automaton. */
function streamMask(a: Automaton): StreamMask {
  let state = 0;
  /** absolute offset of the next byte to read, and of the first byte not yet written */
  let pos = 0;
  let base = 0;
  let pending: Buffer = Buffer.alloc(0);
  /** masked regions not fully written yet: sorted, disjoint (overlapping matches are merged) */
  const regions: Region[] = [];

  function step(b: number): number {
    let s = state;
    for (;;) {
      if (s === 0) return a.root[b];
      const t = a.edges.get(s * 256 + b);
      if (t !== undefined) return t;
      s = a.fail[s];
    }
  }

  function matched(end: number, length: number): void {
    let start = end - length + 1;
    let shown = false;
    while (regions.length && regions[regions.length - 1].end >= start) {
      const r = regions.pop()!;
      start = Math.min(start, r.start);
      shown ||= r.shown;
    }
    regions.push({ start, end, shown });
  }

  /** Writes bytes [base, cut) of `pending`: plain bytes as they are, each region as one `***`. */
  function emit(cut: number): Buffer {
    const parts: Buffer[] = [];
    let at = base;
    while (regions.length && regions[0].start < cut) {
      const r = regions[0];
      if (r.start > at) parts.push(pending.subarray(at - base, r.start - base));
      if (!r.shown) parts.push(MASK_BYTES);
      r.shown = true;
      at = Math.min(r.end + 1, cut);
      if (r.end >= cut) break;
      regions.shift();
    }
    if (at < cut) parts.push(pending.subarray(at - base, cut - base));
    pending = pending.subarray(cut - base);
    base = cut;
    return parts.length === 1 ? Buffer.from(parts[0]) : Buffer.concat(parts);
  }

  return {
    write(chunk) {
      const bytes = chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const { root, pairs, out, depth } = a;
      let i = 0;
      const n = bytes.length;
      while (i < n) {
        if (state === 0) {
          // the common case: no pattern begun; skip bytes that start none with the byte after them
          while (i < n - 1 && pairs[(bytes[i] << 8) | bytes[i + 1]] === 0) i++;
          if (i === n - 1 && root[bytes[i]] === 0) i++;
          if (i === n) break;
        }
        state = step(bytes[i]);
        if (out[state] > 0) matched(pos + i, out[state]);
        i++;
      }
      pos += n;
      pending = pending.length ? Buffer.concat([pending, bytes]) : bytes;
      return emit(pos - depth[state]);
    },
    end() {
      state = 0;
      return emit(pos);
    },
  };
}

/** Compiles a masker for secret `values` (see {@link maskPatterns}); undefined when none is long enough to mask. */
export function compileMasker(values: Iterable<string>): Masker | undefined {
  const patterns = maskPatterns(values);
  if (patterns.length === 0) return undefined;
  const automaton = build(patterns.map((p) => Buffer.from(p, 'utf8')));
  return {
    filter: () => streamMask(automaton),
    mask(text) {
      const f = streamMask(automaton);
      return Buffer.concat([f.write(Buffer.from(text, 'utf8')), f.end()]).toString('utf8');
    },
  };
}

const planMaskers = new WeakMap<ExecutionPlan, Masker | undefined>();

/** The masker of a plan's `secrets`, compiled once per plan; undefined when the plan reads no secret worth masking. */
export function planMasker(plan: ExecutionPlan): Masker | undefined {
  if (!plan.secrets?.length) return undefined;
  if (!planMaskers.has(plan)) planMaskers.set(plan, compileMasker(plan.secrets));
  return planMaskers.get(plan);
}

/** `values` with every pattern of `masker` masked in each (the same object when there is no masker). */
export function maskValues(masker: Masker | undefined, values: Record<string, string>): Record<string, string> {
  if (!masker) return values;
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, masker.mask(v)]));
}
