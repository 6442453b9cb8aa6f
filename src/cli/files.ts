// Reading manifest files (the CLI's job) and turning load problems into CliErrors.
import { readFileSync } from 'node:fs';
import { loadManifests, type LoadedObject } from '../api/load.ts';
import type { FieldValidation } from '../api/prepare.ts';
import { formatFieldError, type FieldError } from '../api/errors.ts';
import { notAppliedSubject } from '../api/foreign.ts';
import { validateReferences } from '../api/references.ts';
import { CliError, EXIT } from './exit.ts';

export interface Loaded {
  objects: LoadedObject[];
  warnings: FieldError[];
  /** `Kind/name` of the objects set aside (kinds kiln does not run), when `setAside` */
  notApplied: string[];
}

export interface LoadFileOptions {
  /** unknown fields: `Strict` errors (default, as kubectl's `--validate`), `Warn` warnings, `Ignore` dropped */
  fieldValidation?: FieldValidation;
  namespace?: string;
  /** objects of kinds kiln does not run (Role, Deployment, …) are set aside instead of failing the file */
  setAside?: boolean;
  /** check TaskRuns/PipelineRuns against what they run (default true; false when the caller adds params/bindings first) */
  runs?: boolean;
}

/** Reads and validates a manifest file; throws CliError(2) naming file:line for every problem. */
export function loadFile(file: string, opts: LoadFileOptions = {}): Loaded {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const res = loadManifests(text, file, { fieldValidation: opts.fieldValidation ?? 'Strict' });
  for (const o of res.objects) {
    if (opts.namespace) o.object.metadata.namespace = opts.namespace;
    else o.object.metadata.namespace ??= 'default';
  }
  const notApplied = opts.setAside ? res.errors.map(notAppliedSubject).filter((s) => s !== undefined) : [];
  const loadErrors = opts.setAside ? res.errors.filter((e) => notAppliedSubject(e) === undefined) : res.errors;
  // cross-object checks run even when some object is invalid: every error is reported at once
  const crossed = validateReferences(res.objects, undefined, { runs: opts.runs });
  const warnings = [...res.warnings, ...crossed.filter((e) => e.severity === 'warning')];
  const errors = [...loadErrors, ...crossed.filter((e) => e.severity !== 'warning')].sort(byPosition);
  if (errors.length) {
    const unknown = errors.some((e) => UNKNOWN_FIELD.test(e.message));
    throw new CliError(EXIT.invalid, `${file}: ${errors.length} error(s)`, [
      ...errors.map(formatFieldError),
      ...warnings.map((w) => `warning: ${formatFieldError(w)}`),
      ...(unknown ? ['unknown fields are errors (as kubectl --validate=strict); --validate=warn drops them with a warning'] : []),
    ]);
  }
  if (!res.objects.length) throw new CliError(EXIT.invalid, `${file}: no objects found${notApplied.length ? ` kiln runs (${notAppliedNote(notApplied)})` : ''}`);
  return { objects: res.objects, warnings, notApplied };
}

const UNKNOWN_FIELD = /^unknown field "/;

/** Help of `--validate` (kubectl's flag and values), shared by run, validate and apply. */
export const VALIDATE_HELP = 'unknown fields in the file: strict (errors, the default; also true), warn (warnings), ignore (also false)';

/**
 * kubectl's `--validate` values: `strict` or `true` (also the flag alone), `warn`, `ignore` or
 * `false`, any case; `--strict` is `strict`. Absent: `Strict`. Anything else: CliError(2).
 */
export function fieldValidationOf(validate: string | boolean | undefined, strict = false): FieldValidation {
  if (validate === undefined) return 'Strict';
  const v = String(validate).toLowerCase();
  if (v === 'strict' || v === 'true') return 'Strict';
  if (strict) throw new CliError(EXIT.invalid, `--strict and --validate=${String(validate)} disagree`);
  if (v === 'warn') return 'Warn';
  if (v === 'ignore' || v === 'false') return 'Ignore';
  throw new CliError(EXIT.invalid, `--validate=${String(validate)}: expected strict (or true), warn, or ignore (or false)`);
}

function byPosition(a: FieldError, b: FieldError): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

/** The one line naming what was set aside: `not applied here: Role/a, Deployment/b (kinds kiln does not run)`. */
export function notAppliedNote(subjects: readonly string[]): string {
  return `not applied here: ${subjects.join(', ')} (kinds kiln does not run)`;
}
