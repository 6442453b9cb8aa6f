// A readable unified diff of two objects as YAML (keys sorted), Secret values masked.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { maskSecrets } from './normalize.ts';
import type { JObj } from './json.ts';

function yamlOf(o: JObj | null): string {
  return o ? stringify(o, { sortMapEntries: true, lineWidth: 0 }) : '';
}

/** `--- live/<name>` / `+++ desired/<name>` hunks; '' when the YAML of both sides is the same. */
export function unifiedDiff(name: string, live: JObj | null, desired: JObj | null): string {
  const [l, d] = maskSecrets(live, desired);
  const a = yamlOf(l), b = yamlOf(d);
  if (a === b) return '';
  return createTwoFilesPatch(`live/${name}`, `desired/${name}`, a, b, undefined, undefined, { context: 3 })
    .replace(/^=+\n/, '');
}
