// Reading manifest files (the CLI's job) and turning load problems into CliErrors.
import { readFileSync } from 'node:fs';
import { loadManifests, type LoadedObject } from '../api/load.ts';
import { formatFieldError, type FieldError } from '../api/errors.ts';
import { validateReferences } from '../api/references.ts';
import { CliError, EXIT } from './exit.ts';

export interface Loaded {
  objects: LoadedObject[];
  warnings: FieldError[];
}

/** Reads and validates a manifest file; throws CliError(2) naming file:line for every problem. */
export function loadFile(file: string, opts: { strict?: boolean; namespace?: string } = {}): Loaded {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const res = loadManifests(text, file, { strict: opts.strict });
  for (const o of res.objects) {
    if (opts.namespace) o.object.metadata.namespace = opts.namespace;
    else o.object.metadata.namespace ??= 'default';
  }
  const errors = [...res.errors, ...(res.errors.length ? [] : validateReferences(res.objects))];
  if (errors.length) {
    throw new CliError(EXIT.invalid, `${file}: ${errors.length} error(s)`, [
      ...errors.map(formatFieldError),
      ...res.warnings.map((w) => `warning: ${formatFieldError(w)}`),
    ]);
  }
  if (!res.objects.length) throw new CliError(EXIT.invalid, `${file}: no objects found`);
  return { objects: res.objects, warnings: res.warnings };
}
