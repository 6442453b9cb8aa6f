// Argo CD's directory include/exclude patterns: globs over the path relative to the source's path,
// compiled as Argo CD compiles them (no path separator is special, so `*.yaml` also matches
// `sub/x.yaml` when recursing), with `?`, `[...]` classes and `{a,b}` alternatives.

/** A regular expression matching exactly the paths `glob` matches. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { out += '\\['; continue; }
      let cls = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls[0] === '!') cls = '^' + cls.slice(1);
      out += `[${cls}]`;
      i = end;
    } else if (c === '{') { depth++; out += '(?:'; }
    else if (c === '}' && depth > 0) { depth--; out += ')'; }
    else if (c === ',' && depth > 0) out += '|';
    else if (c === '\\' && i + 1 < glob.length) { i++; out += escape(glob[i]); }
    else out += escape(c);
  }
  while (depth-- > 0) out += ')';
  return new RegExp(`^${out}$`);
}

function escape(c: string): string {
  return /[.+^$()|{}\[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Whether `path` passes include (empty: everything) and not exclude. */
export function included(path: string, include: string | undefined, exclude: string | undefined): boolean {
  if (include && !globToRegExp(include).test(path)) return false;
  if (exclude && globToRegExp(exclude).test(path)) return false;
  return true;
}
