// PATCH bodies as pure functions over JSON values: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and Kubernetes' strategic merge patch (a merge patch whose lists of objects merge by
// key). No IO; inputs are never mutated; `__proto__` keys are plain data, never prototypes.
// Every patch is bounded (PatchLimits): operations, the size and depth it may grow the object to.
import { type JsonMeasure, measureJson, memberOverhead } from './jsonsize.ts';

/** A patch that could not be applied: `malformed` (HTTP 400) or failing against the object (HTTP 422). */
export class PatchError extends Error {
  readonly malformed: boolean;
  constructor(message: string, malformed: boolean) {
    super(message);
    this.name = 'PatchError';
    this.malformed = malformed;
  }
}

type Json = unknown;
type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON deep copy (own `__proto__` keys stay own data properties). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Sets an own data property, even for the key `__proto__`. */
function setOwn(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function getOwn(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

// ---- RFC 7386 --------------------------------------------------------------------------------

/**
 * Applies a JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
 * Throws PatchLimitError when the result is larger than `limits.maxBytes` (checkPatchedSize).
 */
export function applyMergePatch(target: Json, patch: Json, limits: PatchLimits = {}): Json {
  const out = mergeInto(cloneJson(target), patch);
  checkPatchedSize(target, out, limits);
  return out;
}

/** RFC 7386 into `target`, which it changes (the caller's own copy: one copy, not one per level). */
function mergeInto(target: Json, patch: Json): Json {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, mergeInto(getOwn(out, key), value));
  }
  return out;
}

// ---- RFC 6902 --------------------------------------------------------------------------------

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** `"/a/b~1c"` → `['a', 'b/c']`; throws (malformed) on a pointer that does not start with `/` or a bad escape. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`, true);
  return pointer.slice(1).split('/').map((seg) => {
    if (/~[^01]|~$/.test(seg)) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: bad escape in ${JSON.stringify(seg)}`, true);
    return seg.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

/** Checks the shape of a JSON patch document (a list of operations); throws (malformed). */
export function parseJsonPatch(doc: unknown): JsonPatchOperation[] {
  if (!Array.isArray(doc)) throw new PatchError('a JSON patch must be a list of operations', true);
  return doc.map((raw, i) => {
    if (!isObject(raw)) throw new PatchError(`operation ${i}: must be an object`, true);
    const { op, path, from } = raw;
    if (typeof op !== 'string' || !OPS.has(op)) throw new PatchError(`operation ${i}: unknown op ${JSON.stringify(op)}`, true);
    if (typeof path !== 'string') throw new PatchError(`operation ${i} (${op}): missing "path"`, true);
    parsePointer(path);
    if ((op === 'move' || op === 'copy') && typeof from !== 'string') throw new PatchError(`operation ${i} (${op}): missing "from"`, true);
    if (typeof from === 'string') parsePointer(from);
    if ((op === 'add' || op === 'replace' || op === 'test') && !Object.hasOwn(raw, 'value')) {
      throw new PatchError(`operation ${i} (${op}): missing "value"`, true);
    }
    return { op, path, from: from as string | undefined, value: raw.value } as JsonPatchOperation;
  });
}

function arrayIndex(seg: string, length: number, allowEnd: boolean, pointer: string): number {
  if (allowEnd && seg === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) throw new PatchError(`${pointer}: ${JSON.stringify(seg)} is not an array index`, false);
  const i = Number(seg);
  if (i > length || (!allowEnd && i === length)) throw new PatchError(`${pointer}: index ${i} out of range`, false);
  return i;
}

/** The container holding the last segment of `pointer` (which must exist). */
function parentOf(doc: Json, segs: string[], pointer: string): Json {
  let node = doc;
  for (const seg of segs.slice(0, -1)) {
    if (Array.isArray(node)) node = node[arrayIndex(seg, node.length, false, pointer)];
    else if (isObject(node) && Object.hasOwn(node, seg)) node = node[seg];
    else throw new PatchError(`${pointer}: path does not exist`, false);
  }
  if (!Array.isArray(node) && !isObject(node)) throw new PatchError(`${pointer}: parent is not an object or a list`, false);
  return node;
}

function getAt(doc: Json, pointer: string): Json {
  let node = doc;
  for (const seg of parsePointer(pointer)) {
    if (Array.isArray(node)) node = node[arrayIndex(seg, node.length, false, pointer)];
    else if (isObject(node) && Object.hasOwn(node, seg)) node = node[seg];
    else throw new PatchError(`${pointer}: path does not exist`, false);
  }
  return node;
}

/** Bounds on what a patch may do (defaults: kube-apiserver's). */
export interface PatchLimits {
  /**
   * largest patched document, as JSON text (UTF-16 code units); a document already larger may not
   * grow (default DEFAULT_MAX_PATCHED_BYTES). Also the most a JSON patch may copy in total.
   */
  maxBytes?: number;
  /** most operations in one JSON patch (default MAX_JSON_PATCH_OPERATIONS) */
  maxOperations?: number;
  /** deepest nesting of the patched document (default DEFAULT_MAX_PATCHED_DEPTH) */
  maxDepth?: number;
}

/** Operations one JSON patch may hold (kube-apiserver's maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;
/** The size a patched object may reach: 3 MiB, kube-apiserver's request body limit. */
export const DEFAULT_MAX_PATCHED_BYTES = 3 * 1024 * 1024;
/** The nesting a patched object may reach. */
export const DEFAULT_MAX_PATCHED_DEPTH = 1000;

/** A patch refused for going past a PatchLimits bound (malformed: HTTP 400). */
export class PatchLimitError extends PatchError {
  constructor(message: string) {
    super(message, true);
    this.name = 'PatchLimitError';
  }
}

/** No own key (without listing them all). */
function isEmpty(obj: JsonObject): boolean {
  for (const _ in obj) return false;
  return true;
}

function limitsOf(l: PatchLimits): Required<PatchLimits> {
  return {
    maxBytes: l.maxBytes ?? DEFAULT_MAX_PATCHED_BYTES,
    maxOperations: l.maxOperations ?? MAX_JSON_PATCH_OPERATIONS,
    maxDepth: l.maxDepth ?? DEFAULT_MAX_PATCHED_DEPTH,
  };
}

function tooLarge(maxBytes: number, where = ''): PatchLimitError {
  return new PatchLimitError(`the patched object would be larger than ${maxBytes} bytes, the request body limit${where}`);
}

/**
 * Throws PatchLimitError when `result` is larger than `limits.maxBytes` (or than `target`, when
 * that was larger already). Measuring stops at the bound, so the cost is bounded too.
 */
export function checkPatchedSize(target: Json, result: Json, limits: PatchLimits = {}): void {
  const { maxBytes } = limitsOf(limits);
  if (measureJson(result, maxBytes).size <= maxBytes) return;
  if (measureJson(result).size > measureJson(target).size) throw tooLarge(maxBytes);
}

/**
 * The document a JSON patch works on, with its size (JSON text) and a bound on its depth kept up
 * to date by every change, so that a patch that grows it past the limits (each `copy` doubling a
 * value, say) is stopped at the operation that would pass them, before that copy is made.
 */
function trackedDocument(target: Json, limits: Required<PatchLimits>) {
  const start = measureJson(target);
  const ceiling = Math.max(limits.maxBytes, start.size);
  let doc = cloneJson(target);
  let size = start.size;
  let depth = start.depth;
  let copied = 0;
  let where = '';

  function grow(delta: number): void {
    if (size + delta > ceiling) throw tooLarge(limits.maxBytes, where);
    size += delta;
  }
  function deepen(d: number): void {
    if (d > limits.maxDepth) throw new PatchLimitError(`the patched object would be nested more than ${limits.maxDepth} levels deep${where}`);
    if (d > depth) depth = d;
  }

  /**
   * Puts the value `make` returns (of `m.size`, at most `m.depth` deep) at `pointer` (RFC 6902 add);
   * `make` is called once the bounds are checked, so nothing too large is ever built.
   */
  function place(pointer: string, m: JsonMeasure, make: () => Json): void {
    const segs = parsePointer(pointer);
    if (segs.length === 0) {
      deepen(m.depth);
      grow(m.size - size);
      doc = make();
      return;
    }
    const parent = parentOf(doc, segs, pointer);
    const last = segs[segs.length - 1];
    deepen(segs.length + m.depth);
    if (Array.isArray(parent)) {
      const i = arrayIndex(last, parent.length, true, pointer);
      grow(m.size + memberOverhead(undefined) - (parent.length === 0 ? 1 : 0));
      parent.splice(i, 0, make());
    } else {
      const obj = parent as JsonObject;
      grow(Object.hasOwn(obj, last) ? m.size - measureJson(obj[last]).size : m.size + memberOverhead(last) - (isEmpty(obj) ? 1 : 0));
      setOwn(obj, last, make());
    }
  }

  /** Takes the value at `pointer` out (RFC 6902 remove); `measured` false when it goes elsewhere (move). */
  function take(pointer: string, measured = true): Json {
    const segs = parsePointer(pointer);
    if (segs.length === 0) throw new PatchError('cannot remove the whole document', false);
    const parent = parentOf(doc, segs, pointer);
    const last = segs[segs.length - 1];
    let value: Json;
    if (Array.isArray(parent)) {
      value = parent.splice(arrayIndex(last, parent.length, false, pointer), 1)[0];
      size -= memberOverhead(undefined) - (parent.length === 0 ? 1 : 0);
    } else if (Object.hasOwn(parent as JsonObject, last)) {
      value = (parent as JsonObject)[last];
      delete (parent as JsonObject)[last];
      size -= memberOverhead(last) - (isEmpty(parent as JsonObject) ? 1 : 0);
    } else {
      throw new PatchError(`${pointer}: path does not exist`, false);
    }
    if (measured) size -= measureJson(value).size;
    return value;
  }

  function apply(op: JsonPatchOperation, i: number): void {
    where = ` (operation ${i}, ${op.op} ${op.path})`;
    switch (op.op) {
      // a value measured past the ceiling is refused by place(): its partial size is over it too
      case 'add': place(op.path, measureJson(op.value, ceiling), () => cloneJson(op.value)); break;
      case 'remove': take(op.path); break;
      case 'replace':
        getAt(doc, op.path);
        if (op.path !== '') take(op.path);
        place(op.path, measureJson(op.value, ceiling), () => cloneJson(op.value));
        break;
      case 'move': {
        if (op.path.startsWith(op.from! + '/')) throw new PatchError(`cannot move ${op.from} into its own child ${op.path}`, false);
        const value = getAt(doc, op.from!);
        if (op.path === op.from) break;
        take(op.from!, false);
        // the value keeps its size; its depth is at most what lay below `from`
        place(op.path, { size: 0, depth: depth - parsePointer(op.from!).length }, () => value);
        break;
      }
      case 'copy': {
        const value = getAt(doc, op.from!);
        // exact when within the copy budget (as kube-apiserver, copies add up to at most maxBytes)
        const m = measureJson(value, limits.maxBytes - copied);
        copied += m.size;
        if (copied > limits.maxBytes) throw new PatchLimitError(`the JSON patch copies more than ${limits.maxBytes} bytes in all, the request body limit${where}`);
        place(op.path, m, () => cloneJson(value));
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value)) throw new PatchError(`test failed: ${op.path} is not ${JSON.stringify(op.value)}`, false);
        break;
    }
  }

  return { apply, result: () => doc };
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/**
 * Applies a JSON patch (RFC 6902: add, remove, replace, move, copy, test), all or nothing.
 * Throws PatchError: `malformed` for a bad document, otherwise for an operation that fails;
 * PatchLimitError for more operations than `limits.maxOperations`, or as soon as an operation
 * would take the document past `limits.maxBytes` / `maxDepth` (or copy more than maxBytes in all).
 */
export function applyJsonPatch(target: Json, patch: unknown, limits: PatchLimits = {}): Json {
  const l = limitsOf(limits);
  if (Array.isArray(patch) && patch.length > l.maxOperations) {
    throw new PatchLimitError(`the allowed maximum operations in a JSON patch is ${l.maxOperations}, got ${patch.length}`);
  }
  const ops = parseJsonPatch(patch);
  const doc = trackedDocument(target, l);
  ops.forEach(doc.apply);
  return doc.result();
}

// ---- strategic merge patch -----------------------------------------------------------------------

/** The merge key of lists of objects that are not keyed by `name` (Kubernetes' patchMergeKey tags). */
export const MERGE_KEYS: Readonly<Record<string, string>> = {
  ownerReferences: 'uid',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  conditions: 'type',
  topologySpreadConstraints: 'topologyKey',
};

/** Lists of scalars that merge as sets (patchStrategy "merge" on a primitive list). */
export const SET_LISTS: ReadonlySet<string> = new Set(['finalizers']);

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM = '$deleteFromPrimitiveList/';
const ELEMENT_ORDER = '$setElementOrder/';

/** A patch value with every directive and `null` removed (what it becomes when there is nothing to merge into). */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.filter((x) => !(isObject(x) && Object.hasOwn(x, DIRECTIVE))).map(strip);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') || x === null) continue;
    setOwn(out, k, strip(x));
  }
  return out;
}

/**
 * Applies a strategic merge patch as Kubernetes' kubectl sends them: a merge patch in which lists
 * of objects merge by key (`name`, or MERGE_KEYS) when every item carries it, and the directives
 * `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
 * `$setElementOrder/<f>` (order only; ignored). Other lists are replaced. Throws PatchError (malformed)
 * for a bad directive.
 */
export function applyStrategicMergePatch(target: Json, patch: Json, limits: PatchLimits = {}): Json {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be an object', true);
  const r = mergeMap(isObject(target) ? cloneJson(target) : {}, patch) ?? {};
  checkPatchedSize(target, r, limits);
  return r;
}

function isScalar(v: Json): boolean {
  return v === null || typeof v !== 'object';
}

/** Merges `patch` into `original`, which it changes (the caller's own copy) and returns (undefined: deleted). */
function mergeMap(original: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = getOwn(patch, DIRECTIVE);
  if (directive !== undefined && directive !== 'replace' && directive !== 'delete' && directive !== 'merge') {
    throw new PatchError(`unknown $patch directive ${JSON.stringify(directive)}`, true);
  }
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return strip(patch) as JsonObject;
  const out = original;
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, true);
      const current = getOwn(out, field);
      const scalars = new Set(value.filter(isScalar));
      const others = value.filter((d) => !isScalar(d));
      const dropped = (x: Json) => (isScalar(x) ? scalars.has(x) : others.some((d) => deepEqual(d, x)));
      if (Array.isArray(current)) setOwn(out, field, current.filter((x) => !dropped(x)));
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = getOwn(out, key);
    if (isObject(value)) {
      const merged = mergeMap(isObject(current) ? current : {}, value);
      if (merged === undefined) delete out[key];
      else setOwn(out, key, merged);
    } else if (Array.isArray(value)) {
      setOwn(out, key, mergeList(key, current, value));
    } else {
      setOwn(out, key, value);
    }
  }
  const retain = getOwn(patch, RETAIN_KEYS);
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) throw new PatchError(`${RETAIN_KEYS} must be a list of strings`, true);
    const kept = new Set(retain);
    for (const k of Object.keys(out)) if (!kept.has(k)) delete out[k];
  }
  return out;
}

function mergeList(key: string, current: Json, patch: Json[]): Json[] {
  if (patch.some((x) => isObject(x) && getOwn(x, DIRECTIVE) === 'replace')) return strip(patch) as Json[];
  const base = Array.isArray(current) ? current : [];
  if (SET_LISTS.has(key) && patch.every(isScalar)) {
    const have = new Set(base.filter(isScalar));
    return [...base, ...patch.filter((x) => !have.has(x))];
  }
  const mergeKey = MERGE_KEYS[key] ?? 'name';
  const keyed = (x: Json): boolean => isObject(x) && Object.hasOwn(x, mergeKey) && x[mergeKey] !== null && typeof x[mergeKey] !== 'object';
  if (patch.length === 0 || !patch.every(keyed) || !base.every(keyed)) return strip(patch) as Json[];
  // merge keys are scalars: an index by key, not a search per item (lists may be long)
  const out: Array<JsonObject | undefined> = [...(base as JsonObject[])];
  const index = new Map<unknown, number>();
  out.forEach((o, i) => { if (!index.has(o![mergeKey])) index.set(o![mergeKey], i); });
  for (const item of patch as JsonObject[]) {
    const k = item[mergeKey];
    const i = index.get(k);
    if (getOwn(item, DIRECTIVE) === 'delete') {
      if (i !== undefined) {
        out[i] = undefined;
        index.delete(k);
      }
      continue;
    }
    const merged = mergeMap(i !== undefined ? out[i]! : {}, item);
    if (merged === undefined) continue;
    if (i !== undefined) out[i] = merged;
    else index.set(k, out.push(merged) - 1);
  }
  return out.filter((o) => o !== undefined);
}
