// Loads @bufbuild/cel on first use: importing it costs ~75 ms, and kiln's start must stay fast,
// so nothing in triggers/ imports it statically (type imports are erased).

/** The two entry points of @bufbuild/cel used by the trigger CEL environment. */
export interface CelModules {
  cel: typeof import('@bufbuild/cel');
  ext: typeof import('@bufbuild/cel/ext');
}

let loading: Promise<CelModules> | undefined;

/** @bufbuild/cel and its `ext` entry, imported once and shared. */
export function loadCel(): Promise<CelModules> {
  loading ??= Promise.all([import('@bufbuild/cel'), import('@bufbuild/cel/ext')]).then(([cel, ext]) => ({ cel, ext }));
  return loading;
}
