// Lint: enforces the import table of ARCHITECTURE.md and keeps the pure layers free of IO.
// Usage: node scripts/lint.ts [root=src]. Exits 1 listing every violation as file:line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

/** Which top-level folders of src/ each folder may import (besides itself). */
export const IMPORT_TABLE: Record<string, readonly string[]> = {
  dag: [],
  api: ['dag'],
  engine: ['api', 'dag'],
  store: ['api'],
  runtime: ['api', 'store/store.ts'],
  triggers: ['api', 'engine'],
  gitops: ['api', 'engine'],
  events: ['api', 'engine'],
  executor: ['api', 'registry'],
  // the OCI Distribution API client (bundles resolver, the kubernetes executor's entrypoint lookup)
  registry: [],
  controllers: ['api', 'dag', 'engine', 'runtime', 'triggers', 'gitops', 'events', 'store/store.ts', 'executor/executor.ts', 'resolution/resolver.ts'],
  resolution: ['api', 'store/store.ts', 'registry'],
  server: ['api', 'store', 'triggers', 'client/client.ts'],
  client: ['api'],
  // kiln install: manifests from api/'s kinds and the CRDs the controllers store, applied through GitOps' client type
  install: ['api', 'controllers/gitops/crds.ts', 'controllers/cdevents/crd.ts', 'gitops/cluster/destination.ts'],
  cli: ['client', 'api', 'install'],
  dashboard: ['client', 'api'],
};

/** Folders whose code must not do IO: no node:* modules, no process/globals that reach the machine. */
export const PURE = new Set(['dag', 'api', 'engine', 'gitops/health', 'gitops/diff', 'gitops/sync', 'install']);
/** Third-party packages a pure folder may use (they do no IO). */
const PURE_PACKAGES: Record<string, readonly string[]> = {
  dag: [], api: ['yaml'], engine: ['@bufbuild/cel'], 'gitops/health': ['fengari', 'yaml'], 'gitops/diff': ['diff', 'yaml'], 'gitops/sync': [], install: [],
};

/** The pure folder `rel` lies in (a top folder, or a sub-folder listed as `top/sub`), if any. */
function pureOf(rel: string): string | undefined {
  const parts = rel.split(sep);
  const sub = parts.length > 2 ? `${parts[0]}/${parts[1]}` : undefined;
  if (sub && PURE.has(sub)) return sub;
  return PURE.has(parts[0]) ? parts[0] : undefined;
}
/** What tests in pure folders may import besides the folder's own: the runner, and files to read fixtures from. */
const TEST_MODULES = new Set(['node:test', 'node:assert', 'node:assert/strict', 'node:fs', 'node:path', 'node:url']);
const IO_GLOBALS = /\b(process\.(env|exit|cwd|stdout|stderr|argv|kill|on)\b|require\(|fetch\(|setTimeout\(|setInterval\()/;

export interface Violation { file: string; line: number; message: string }

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}

function topOf(srcRel: string): string {
  const first = srcRel.split(sep)[0];
  return first.endsWith('.ts') ? first : first;
}

function allowed(fromTop: string, targetRel: string): boolean {
  const targetTop = topOf(targetRel);
  if (targetTop === fromTop) return true;
  const rules = IMPORT_TABLE[fromTop];
  if (!rules) return true; // main.ts and unknown roots: anything
  const target = targetRel.split(sep).join('/');
  return rules.some((r) => (r.endsWith('.ts') ? target === r : targetTop === r));
}

/** Lints every .ts file under `srcRoot`; returns the violations. */
export function lint(srcRoot: string): Violation[] {
  const out: Violation[] = [];
  const importRe = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/;
  for (const file of walk(srcRoot)) {
    const rel = relative(srcRoot, file);
    const top = topOf(rel);
    const pure = pureOf(rel);
    const isTest = file.endsWith('.test.ts');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      const where = { file: relative(process.cwd(), file), line: i + 1 };
      const m = importRe.exec(text);
      const spec = m && (m[1] ?? m[2] ?? m[3]);
      if (spec) {
        if (spec.startsWith('.')) {
          const targetRel = relative(srcRoot, resolve(dirname(file), spec));
          if (targetRel.startsWith('..')) {
            if (!isTest) out.push({ ...where, message: `imports ${spec} from outside src/` });
          } else if (!isTest && !allowed(top, targetRel)) {
            out.push({ ...where, message: `${top}/ may not import ${targetRel} (allowed: ${(IMPORT_TABLE[top] ?? []).join(', ') || 'nothing'})` });
          }
        } else if (pure) {
          const ok = (isTest && TEST_MODULES.has(spec)) || PURE_PACKAGES[pure]?.some((p) => spec === p || spec.startsWith(p + '/'));
          if (!ok) out.push({ ...where, message: `${pure}/ is pure: it may not import ${spec} (move the IO to a caller outside ${pure}/)` });
        }
      }
      if (pure && !isTest && IO_GLOBALS.test(text) && !/^\s*(\/\/|\*)/.test(text)) {
        out.push({ ...where, message: `${pure}/ is pure: no process, timers or network here (inject them)` });
      }
    });
  }
  return out;
}

if (import.meta.main) {
  const root = process.argv[2] ?? 'src';
  const violations = lint(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length) {
    console.error(`lint: ${violations.length} violation(s)`);
    process.exit(1);
  }
  console.log('lint: import table and purity rules hold');
}
