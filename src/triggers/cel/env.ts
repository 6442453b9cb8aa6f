// The CEL environment of Tekton Triggers' CEL interceptor (makeCelEnv in pkg/interceptors/cel):
// variables body, header, extensions, requestURL; cel-go's standard library, the strings,
// encoders, lists, sets and math extensions, and Tekton's functions. Evaluation follows cel-go's
// steps and error texts: parse ("failed to parse expression …"), check ("… check failed:
// undeclared reference to 'x' (in container '')"), evaluate ("… failed to evaluate: no such key: x").
import type { CelValue, CelEnv, CelInput } from '@bufbuild/cel';
import { loadCel, type CelModules } from './load.ts';
import type * as Functions from './functions.ts';
import type { SecretSlot } from './functions.ts';
import { celInputFromJson } from './values.ts';
import { canonicalHeaders } from '../interceptors/header.ts';

/** What a trigger CEL expression sees. */
export interface TriggerCelInput {
  /** the parsed JSON body (`{}` for an empty body); JS numbers are CEL doubles, bigints ints */
  body: unknown;
  /** request headers; keys are canonicalised as Go's http.Header does */
  header: Record<string, readonly string[]>;
  extensions?: Record<string, unknown>;
  /** `context.event_url` */
  requestURL?: string;
}

/** Fetches a secret of the trigger's namespace for compareSecret (undefined when it does not exist). */
export type CelSecretFetch = (secretName: string, secretKey: string) => Promise<string | undefined>;

/** A value, or cel-go's error text for the expression. */
export type CelOutcome = { value: CelValue } | { error: string };

/** The trigger CEL environment, ready to evaluate. */
export interface TriggerCel {
  readonly lib: CelModules;
  /**
   * Evaluates `expr` against `input`. Secrets compareSecret asks for are fetched through `secret`
   * (then the expression is evaluated again, synchronously, with them); without `secret` every
   * secret is missing. Never throws for a bad expression.
   */
  evaluate(expr: string, input: TriggerCelInput, secret?: CelSecretFetch): Promise<CelOutcome>;
}

const VARIABLES = new Set(['body', 'header', 'extensions', 'requestURL']);
const TYPE_IDENTS = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type', 'dyn']);
/** Most rounds of fetching secrets an evaluation may need (each round fetches every secret asked for). */
const MAX_SECRET_ROUNDS = 8;

let instance: Promise<TriggerCel> | undefined;

/** Loads @bufbuild/cel and the function library (first call only) and builds the trigger CEL environment. */
export function triggerCel(): Promise<TriggerCel> {
  instance ??= Promise.all([loadCel(), import('./functions.ts')]).then(([lib, fns]) => createTriggerCel(lib, fns));
  return instance;
}

type Program = (bindings: Record<string, CelInput>) => unknown;

/** Builds the environment over loaded CEL modules and ./functions.ts (both loaded lazily by triggerCel). */
export function createTriggerCel(lib: CelModules, fns: typeof Functions): TriggerCel {
  const { cel, ext } = lib;
  const slot: SecretSlot = {};
  const env = cel.celEnv({ funcs: [...ext.strings, ...fns.triggerFunctions(lib, slot)] });
  const programs = new Map<string, Program | { error: string }>();

  function compile(expr: string): Program | { error: string } {
    let p = programs.get(expr);
    if (p) return p;
    p = compileUncached(lib, env, expr);
    if (programs.size > 1000) programs.clear();
    programs.set(expr, p);
    return p;
  }

  async function evaluate(expr: string, input: TriggerCelInput, secret?: CelSecretFetch): Promise<CelOutcome> {
    const program = compile(expr);
    if (typeof program !== 'function') return program;
    const bindings = {
      body: celInputFromJson(input.body ?? {}),
      header: celInputFromJson(canonicalHeaders(input.header ?? {})),
      extensions: celInputFromJson(input.extensions ?? {}),
      requestURL: input.requestURL ?? '',
    };
    const fetched = new Map<string, string | undefined>();
    for (let round = 0; ; round++) {
      const wanted = new Map<string, [string, string]>();
      slot.current = (name, key) => {
        const id = `${name}\u0000${key}`;
        if (fetched.has(id)) return fetched.get(id);
        if (!secret) return undefined;
        wanted.set(id, [name, key]);
        return fns.PENDING;
      };
      let out: unknown;
      try {
        out = program(bindings);
      } finally {
        slot.current = undefined;
      }
      if (wanted.size === 0 || round >= MAX_SECRET_ROUNDS) return outcome(lib, fns, expr, out);
      await Promise.all([...wanted].map(async ([id, [name, key]]) => fetched.set(id, await secret!(name, key))));
    }
  }

  return { lib, evaluate };
}

function outcome(lib: CelModules, fns: typeof Functions, expr: string, out: unknown): CelOutcome {
  if (lib.cel.isCelError(out)) return { error: `expression ${goQuote(expr)} failed to evaluate: ${goMessage(rootMessage(fns, out))}` };
  return { value: out as CelValue };
}

/** The message of the innermost CEL error (bufbuild wraps a thrown Error as its cause). */
function rootMessage(fns: typeof Functions, e: Error): string {
  if (e.cause instanceof fns.SecretPending) return 'secret not fetched';
  return e.message;
}

function compileUncached(lib: CelModules, env: CelEnv, expr: string): Program | { error: string } {
  let parsed: ReturnType<CelModules['cel']['parse']>;
  try {
    parsed = lib.cel.parse(expr);
  } catch (e) {
    return { error: `failed to parse expression ${goQuote(expr)}: ERROR: ${(e as Error).message}` };
  }
  const problem = checkExpr(env, parsed, expr);
  if (problem) return { error: `expression ${goQuote(expr)} check failed: ERROR: ${problem}` };
  try {
    return lib.cel.plan(env, parsed) as Program;
  } catch (e) {
    return { error: `expression ${goQuote(expr)} failed to create a Program: ${(e as Error).message}` };
  }
}

/** Go's `%#v` of a string, close enough: a double-quoted literal. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Rewrites @bufbuild/cel's runtime error texts into cel-go's. */
export function goMessage(msg: string): string {
  let m = /^field not found: (.*)$/.exec(msg) ?? /^key not found: (.*)$/.exec(msg);
  if (m) return `no such key: ${m[1]}`;
  m = /^unbound function: (.*)$/.exec(msg);
  if (m) return `undeclared reference to '${m[1]}' (in container '')`;
  m = /^found no matching overload for '(.+)' applied to '(.*)'$/.exec(msg);
  if (m) {
    const applied = /^(?:(.*)\.)?\((.*)\)$/.exec(m[2]);
    if (applied) {
      const types = [...(applied[1] ? [applied[1]] : []), ...splitTop(applied[2])].map(shortType);
      return `no such overload: ${m[1]}(${types.join(', ')})`;
    }
  }
  return msg;
}

/** `map(dyn, dyn)` → `map`, as cel-go names runtime types in its messages. */
function shortType(t: string): string {
  return t.trim().replace(/^(map|list)\(.*\)$/, '$1');
}

function splitTop(s: string): string[] {
  if (s.trim() === '') return [];
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

interface AstNode {
  id?: bigint;
  exprKind?: { case?: string; value?: Record<string, unknown> };
}

/**
 * cel-go's check step, reduced to what matters here: every identifier is a declared variable
 * (or a comprehension's), every function exists. Returns `<input>:line:col: message` or undefined.
 */
function checkExpr(env: CelEnv, parsed: { expr?: unknown; sourceInfo?: unknown }, expr: string): string | undefined {
  const positions = (parsed.sourceInfo as { positions?: Record<string, number> } | undefined)?.positions ?? {};
  const where = (n: AstNode): string => {
    const offset = n.id !== undefined ? positions[String(n.id)] : undefined;
    if (offset === undefined) return '<input>';
    const before = [...expr].slice(0, offset).join('');
    const line = before.split('\n').length;
    const col = offset - (before.lastIndexOf('\n') + 1) + 1;
    return `<input>:${line}:${col}`;
  };
  const undeclared = (n: AstNode, name: string): string => `${where(n)}: undeclared reference to '${name}' (in container '')`;
  const known = (name: string): boolean => env.funcs.find(name) !== undefined;

  /** `a.b.c` as a qualified name when the chain is made of identifiers only. */
  function qualified(n: AstNode): string | undefined {
    const k = n.exprKind;
    if (k?.case === 'identExpr') return k.value?.name as string;
    if (k?.case === 'selectExpr' && !k.value?.testOnly) {
      const left = qualified(k.value?.operand as AstNode);
      return left === undefined ? undefined : `${left}.${k.value?.field as string}`;
    }
    return undefined;
  }

  function rootIdent(n: AstNode): string | undefined {
    const q = qualified(n);
    return q?.split('.')[0];
  }

  function visit(n: AstNode | undefined, bound: ReadonlySet<string>): string | undefined {
    const k = n?.exprKind;
    if (!n || !k?.value) return undefined;
    const v = k.value;
    switch (k.case) {
      case 'identExpr': {
        const name = v.name as string;
        if (VARIABLES.has(name) || bound.has(name) || TYPE_IDENTS.has(name)) return undefined;
        return undeclared(n, name);
      }
      case 'selectExpr':
        return visit(v.operand as AstNode, bound);
      case 'callExpr': {
        const fn = v.function as string;
        const target = v.target as AstNode | undefined;
        const args = (v.args as AstNode[] | undefined) ?? [];
        if (target?.exprKind?.case) {
          const root = rootIdent(target);
          const q = qualified(target);
          if (q !== undefined && root !== undefined && !VARIABLES.has(root) && !bound.has(root) && known(`${q}.${fn}`)) {
            return visitAll(args, bound);
          }
          if (!fn.startsWith('_') && !fn.startsWith('@') && !known(fn)) return undeclared(n, fn);
          return visit(target, bound) ?? visitAll(args, bound);
        }
        if (!fn.startsWith('_') && !fn.startsWith('@') && !fn.startsWith('!') && !fn.startsWith('-') && !known(fn)) return undeclared(n, fn);
        return visitAll(args, bound);
      }
      case 'listExpr':
        return visitAll((v.elements as AstNode[] | undefined) ?? [], bound);
      case 'structExpr': {
        for (const e of (v.entries as { keyKind?: { case?: string; value?: unknown }; value?: AstNode }[] | undefined) ?? []) {
          const problem = (e.keyKind?.case === 'mapKey' ? visit(e.keyKind.value as AstNode, bound) : undefined) ?? visit(e.value, bound);
          if (problem) return problem;
        }
        return undefined;
      }
      case 'comprehensionExpr': {
        const inner = new Set(bound);
        for (const key of ['iterVar', 'iterVar2', 'accuVar']) if (typeof v[key] === 'string' && v[key]) inner.add(v[key] as string);
        return visit(v.iterRange as AstNode, bound) ?? visit(v.accuInit as AstNode, inner) ?? visit(v.loopCondition as AstNode, inner) ?? visit(v.loopStep as AstNode, inner) ?? visit(v.result as AstNode, inner);
      }
      default:
        return undefined;
    }
  }

  function visitAll(nodes: AstNode[], bound: ReadonlySet<string>): string | undefined {
    for (const a of nodes) {
      const problem = visit(a, bound);
      if (problem) return problem;
    }
    return undefined;
  }

  return visit(parsed.expr as AstNode, new Set());
}
