// User-facing errors: every one names a field path, and where known the file:line:col.

export interface FieldError {
  /** Field path as Tekton prints it, e.g. `spec.steps[1].image`. Empty for document-level errors. */
  path: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
  severity?: 'error' | 'warning';
}

/** `file:line:col: path: message` (parts that are unknown are left out). */
export function formatFieldError(e: FieldError): string {
  const where = e.file ? `${e.file}${e.line ? `:${e.line}${e.col ? `:${e.col}` : ''}` : ''}: ` : '';
  const path = e.path ? `${e.path}: ` : '';
  return `${where}${path}${e.message}`;
}

/** Thrown for invalid user input; carries every error found, not just the first. */
export class ValidationError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[]) {
    super(errors.map(formatFieldError).join('\n'));
    this.name = 'ValidationError';
    this.errors = errors;
  }
}

/** Joins a parent path and a child segment: `spec` + `steps[0]` → `spec.steps[0]`. */
export function joinPath(parent: string, child: string | number): string {
  if (typeof child === 'number') return `${parent}[${child}]`;
  return parent ? `${parent}.${child}` : child;
}
