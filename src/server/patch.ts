// PATCH bodies as pure functions over JSON values: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and Kubernetes' strategic merge patch (a merge patch whose lists of objects merge by
// key). No IO; inputs are never mutated; `__proto__` keys are plain data, never prototypes.

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

/** Applies a JSON merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setOwn(out, key, applyMergePatch(getOwn(out, key), value));
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

function addAt(doc: Json, pointer: string, value: Json): Json {
  const segs = parsePointer(pointer);
  if (segs.length === 0) return value;
  const parent = parentOf(doc, segs, pointer);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true, pointer), 0, value);
  else setOwn(parent as JsonObject, last, value);
  return doc;
}

function removeAt(doc: Json, pointer: string): Json {
  const segs = parsePointer(pointer);
  if (segs.length === 0) throw new PatchError('cannot remove the whole document', false);
  const parent = parentOf(doc, segs, pointer);
  const last = segs[segs.length - 1];
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false, pointer), 1);
  else if (Object.hasOwn(parent as JsonObject, last)) delete (parent as JsonObject)[last];
  else throw new PatchError(`${pointer}: path does not exist`, false);
  return doc;
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
 * Throws PatchError: `malformed` for a bad document, otherwise for an operation that fails.
 */
export function applyJsonPatch(target: Json, patch: unknown): Json {
  const ops = parseJsonPatch(patch);
  let doc = cloneJson(target);
  for (const op of ops) {
    switch (op.op) {
      case 'add': doc = addAt(doc, op.path, cloneJson(op.value)); break;
      case 'remove': doc = removeAt(doc, op.path); break;
      case 'replace': getAt(doc, op.path); doc = addAt(removeOrRoot(doc, op.path), op.path, cloneJson(op.value)); break;
      case 'move': {
        if (op.path.startsWith(op.from! + '/')) throw new PatchError(`cannot move ${op.from} into its own child ${op.path}`, false);
        const value = getAt(doc, op.from!);
        if (op.path === op.from) break;
        doc = addAt(removeAt(doc, op.from!), op.path, value);
        break;
      }
      case 'copy': doc = addAt(doc, op.path, cloneJson(getAt(doc, op.from!))); break;
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value)) throw new PatchError(`test failed: ${op.path} is not ${JSON.stringify(op.value)}`, false);
        break;
    }
  }
  return doc;
}

function removeOrRoot(doc: Json, pointer: string): Json {
  return pointer === '' ? doc : removeAt(doc, pointer);
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
export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) throw new PatchError('a strategic merge patch must be an object', true);
  const r = mergeMap(isObject(target) ? target : {}, patch);
  return r === undefined ? {} : r;
}

function mergeMap(original: JsonObject, patch: JsonObject): JsonObject | undefined {
  const directive = getOwn(patch, DIRECTIVE);
  if (directive !== undefined && directive !== 'replace' && directive !== 'delete' && directive !== 'merge') {
    throw new PatchError(`unknown $patch directive ${JSON.stringify(directive)}`, true);
  }
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return strip(patch) as JsonObject;
  const out = cloneJson(original);
  for (const [key, value] of Object.entries(patch)) {
    if (key === DIRECTIVE || key === RETAIN_KEYS || key.startsWith(ELEMENT_ORDER)) continue;
    if (key.startsWith(DELETE_FROM)) {
      const field = key.slice(DELETE_FROM.length);
      if (!Array.isArray(value)) throw new PatchError(`${key} must be a list`, true);
      const current = getOwn(out, field);
      if (Array.isArray(current)) setOwn(out, field, current.filter((x) => !value.some((d) => deepEqual(d, x))));
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
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function mergeList(key: string, current: Json, patch: Json[]): Json[] {
  if (patch.some((x) => isObject(x) && getOwn(x, DIRECTIVE) === 'replace')) return strip(patch) as Json[];
  const base = Array.isArray(current) ? current : [];
  if (SET_LISTS.has(key) && patch.every((x) => !isObject(x) && !Array.isArray(x))) {
    return [...base, ...patch.filter((x) => !base.some((b) => deepEqual(b, x)))];
  }
  const mergeKey = MERGE_KEYS[key] ?? 'name';
  const keyed = (x: Json): boolean => isObject(x) && Object.hasOwn(x, mergeKey) && x[mergeKey] !== null && typeof x[mergeKey] !== 'object';
  if (patch.length === 0 || !patch.every(keyed) || !base.every(keyed)) return strip(patch) as Json[];
  const out = cloneJson(base) as JsonObject[];
  for (const item of patch as JsonObject[]) {
    const i = out.findIndex((o) => deepEqual(o[mergeKey], item[mergeKey]));
    const directive = getOwn(item, DIRECTIVE);
    if (directive === 'delete') {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    const merged = mergeMap(i >= 0 ? out[i] : {}, item);
    if (merged === undefined) continue;
    if (i >= 0) out[i] = merged;
    else out.push(merged);
  }
  return out;
}
