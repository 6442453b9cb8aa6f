// When expressions of a PipelineTask, evaluated after substitution: `in` / `notin`, and `cel`
// evaluated with @bufbuild/cel in an empty environment (Tekton compiles with cel.NewEnv(): no
// variables, so Tekton variables are substituted into quoted string literals first).
import type { parse as ParseFn, run as RunFn, isCelError as IsCelErrorFn } from '@bufbuild/cel';
import type { WhenExpression } from '../../api/when.types.ts';

/** The parts of @bufbuild/cel used here. */
export interface CelLib { parse: typeof ParseFn; run: typeof RunFn; isCelError: typeof IsCelErrorFn }

let lib: CelLib | undefined;

/**
 * Installs the CEL implementation. Callers load it only when a spec has a `cel` expression:
 * loading @bufbuild/cel costs ~75 ms, a third of kiln's start-up.
 */
export function useCel(cel: CelLib): void {
  lib = cel;
}

function cel(): CelLib {
  if (!lib) throw new Error('CEL is not loaded: call useCel() before evaluating cel when expressions');
  return lib;
}

/** Whether a spec (any JSON value) holds a `cel` when expression, so CEL must be loaded. */
export function usesCel(spec: object): boolean {
  let v = celUse.get(spec);
  if (v === undefined) {
    v = JSON.stringify(spec).includes('"cel":');
    celUse.set(spec, v);
  }
  return v;
}

const celUse = new WeakMap<object, boolean>();

/** The outcome of a PipelineTask's when expressions (ANDed). */
export interface WhenVerdict {
  run: boolean;
  /** a CEL expression that failed to evaluate: fails the PipelineRun with CELEvaluationFailed */
  celError?: string;
}

/** Type names CEL resolves as identifiers even in an empty environment. */
const BUILTIN_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);

/**
 * Why a CEL when expression (as written, before substitution) would be rejected at admission:
 * a syntax error, or a reference to a variable (the environment declares none). Undefined when valid.
 */
export function celProblem(expr: string): string | undefined {
  let ast: unknown;
  try {
    ast = cel().parse(expr);
  } catch (e) {
    return `invalid cel expression: ${expr} with err: ${(e as Error).message}`;
  }
  const idents = new Set<string>();
  const bound = new Set<string>();
  collectIdents(ast, idents, bound);
  const undeclared = [...idents].filter((n) => !bound.has(n) && !n.startsWith('@') && !BUILTIN_IDENTS.has(n));
  if (undeclared.length) return `invalid cel expression: ${expr} with err: undeclared reference to '${undeclared[0]}' (in container '')`;
  return undefined;
}

/** Walks a parsed CEL AST: identifiers used, and the variables comprehensions bind. */
function collectIdents(node: unknown, idents: Set<string>, bound: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) collectIdents(n, idents, bound);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  const kind = o.exprKind as { case?: string; value?: Record<string, unknown> } | undefined;
  if (kind?.case === 'identExpr' && typeof kind.value?.name === 'string') idents.add(kind.value.name);
  if (kind?.case === 'comprehensionExpr' && kind.value) {
    for (const k of ['iterVar', 'iterVar2', 'accuVar']) {
      const v = kind.value[k];
      if (typeof v === 'string' && v) bound.add(v);
    }
  }
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'sourceInfo' && typeof v === 'object') collectIdents(v, idents, bound);
  }
}

/** Evaluates one substituted CEL expression to a boolean, or returns why it could not. */
export function evalCel(expr: string): { value: boolean } | { error: string } {
  let out: unknown;
  try {
    out = cel().run(expr, {});
  } catch (e) {
    return { error: `failed to evaluate CEL expression ${JSON.stringify(expr)}: ${(e as Error).message}` };
  }
  if (cel().isCelError(out)) return { error: `failed to evaluate CEL expression ${JSON.stringify(expr)}: ${out.message}` };
  if (typeof out !== 'boolean') return { error: `the CEL expression ${JSON.stringify(expr)} is not evaluated to a boolean` };
  return { value: out };
}

/**
 * Evaluates substituted when expressions: every one must allow execution. `in`: the input is one
 * of the values; `notin`: it is none of them; `cel`: evaluates to true. An empty list runs.
 */
export function evaluateWhenExpressions(exprs: readonly WhenExpression[] | undefined): WhenVerdict {
  let allow = true;
  for (const w of exprs ?? []) {
    if (w.cel !== undefined && w.cel !== '') {
      const r = evalCel(w.cel);
      if ('error' in r) return { run: false, celError: r.error };
      if (!r.value) allow = false;
      continue;
    }
    const found = (w.values ?? []).includes(w.input ?? '');
    if (found !== (w.operator === 'in')) allow = false;
  }
  return { run: allow };
}
