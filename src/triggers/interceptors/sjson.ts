// tidwall/sjson's path setting, as the CEL interceptor writes overlays into extensions:
// `a.b` nests objects, `\.` escapes a dot, a number indexes an array (`-1` appends), `:5` forces
// an object key that looks like a number.

/** The segments of an sjson path. */
function segments(path: string): { key: string; forceKey: boolean }[] {
  const out: { key: string; forceKey: boolean }[] = [];
  let cur = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\' && i + 1 < path.length) cur += path[++i];
    else if (c === '.') {
      out.push(seg(cur));
      cur = '';
    } else cur += c;
  }
  out.push(seg(cur));
  return out;
}

function seg(raw: string): { key: string; forceKey: boolean } {
  return raw.startsWith(':') && /^:\d+$/.test(raw) ? { key: raw.slice(1), forceKey: true } : { key: raw, forceKey: false };
}

const INDEX = /^(-1|\d+)$/;

/** Sets `value` at the sjson `path` inside `root` (mutated), creating objects and arrays on the way. */
export function sjsonSet(root: Record<string, unknown>, path: string, value: unknown): void {
  const segs = segments(path);
  let node: Record<string, unknown> | unknown[] = root;
  for (let i = 0; i < segs.length; i++) {
    const { key, forceKey } = segs[i];
    const last = i === segs.length - 1;
    const nextIsIndex = !last && !segs[i + 1].forceKey && INDEX.test(segs[i + 1].key);
    const fresh = (): Record<string, unknown> | unknown[] => (nextIsIndex ? [] : {});
    if (Array.isArray(node) && !forceKey && INDEX.test(key)) {
      const idx = key === '-1' ? node.length : Number(key);
      while (node.length < idx) node.push(null);
      if (last) {
        node[idx] = value;
        return;
      }
      const child: unknown = node[idx];
      if (typeof child !== 'object' || child === null) node[idx] = fresh();
      node = node[idx] as Record<string, unknown> | unknown[];
      continue;
    }
    if (Array.isArray(node)) throw new Error(`cannot set key ${JSON.stringify(key)} of an array`);
    if (last) {
      node[key] = value;
      return;
    }
    const child: unknown = node[key];
    if (typeof child !== 'object' || child === null) node[key] = fresh();
    node = node[key] as Record<string, unknown> | unknown[];
  }
}
