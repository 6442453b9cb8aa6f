// Go regexp (RE2 syntax) as JS RegExp, and Go's ReplaceAllString template expansion.

/** Compiles an RE2 pattern as a JS RegExp (global, unicode): `(?P<n>` becomes `(?<n>`, leading `(?i)` flags become RegExp flags. */
export function compileGoRegexp(pattern: string): RegExp {
  let src = pattern.replace(/\(\?P</g, '(?<');
  let flags = 'gu';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    src = src.slice(lead[0].length);
    for (const f of lead[1]) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  try {
    return new RegExp(src, flags);
  } catch {
    return new RegExp(src, flags.replace('u', ''));
  }
}

/**
 * Go's `Regexp.ReplaceAllString`: `$1`, `$name`, `${name}` expand to groups (a name is the longest
 * run of letters, digits and `_`, so `$1x` is the group named `1x`, empty when absent), `$$` is `$`,
 * a malformed `$` stays literal.
 */
export function goReplaceAll(input: string, re: RegExp, template: string): string {
  return input.replace(re, (...args: unknown[]) => {
    const hasGroups = typeof args[args.length - 1] === 'object' && args[args.length - 1] !== null;
    const groups = (hasGroups ? args[args.length - 1] : undefined) as Record<string, string | undefined> | undefined;
    const numbered = args.slice(0, hasGroups ? -3 : -2) as (string | undefined)[];
    return expand(template, numbered, groups);
  });
}

function expand(template: string, numbered: (string | undefined)[], groups: Record<string, string | undefined> | undefined): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    let end = i;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close >= 0 && /^\w+$/.test(inner)) {
        name = inner;
        end = close;
      }
    } else {
      const m = /^\w+/.exec(template.slice(i + 1));
      if (m) {
        name = m[0];
        end = i + m[0].length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    if (/^\d+$/.test(name)) out += numbered[Number(name)] ?? '';
    else out += groups?.[name] ?? '';
    i = end;
  }
  return out;
}
