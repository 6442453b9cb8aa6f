// Every case of ../shared/conformance/triggers/vectors/cel-vectors.json (Tekton's cel_test.go):
// expression values, error texts, and the CEL interceptor's Process cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { triggerCel } from './env.ts';
import { celInputFromJson, celToJson } from './values.ts';
import { celInterceptor } from '../interceptors/cel.ts';
import type { InterceptorDeps } from '../types.ts';

const VECTORS = resolve(import.meta.dirname, '../../../../shared/conformance/triggers/vectors/cel-vectors.json');
const skip = existsSync(VECTORS) ? false : `conformance data not found at ${VECTORS} (../shared is absent): skipping the CEL vectors`;

interface Want { string?: string; bool?: boolean; int?: number; list?: unknown[]; bytes_utf8?: string; null?: null }
interface Vectors {
  env: { body: Record<string, unknown>; header: Record<string, string[]>; requestURL: string };
  secret: { name: string; data: Record<string, string> };
  cases: { name: string; expr: string; want: Want }[];
  errors: { name: string; expr: string; errorContains: string }[];
  error_env_body_overrides: Record<string, unknown>;
  process: {
    headers: Record<string, string[]>;
    context: { event_url: string; event_id: string; trigger_id: string };
    cases: { name: string; filter?: string; overlays?: { key: string; expression: string }[]; body: unknown; extensions?: Record<string, unknown>; wantExtensions?: Record<string, unknown>; wantContinue?: boolean }[];
  };
}

const vectors: Vectors | undefined = skip ? undefined : JSON.parse(readFileSync(VECTORS, 'utf8'));

function secrets(v: Vectors): { fetch: (name: string, key: string) => Promise<string | undefined>; deps: InterceptorDeps; asked: string[] } {
  const asked: string[] = [];
  const fetch = async (name: string, key: string): Promise<string | undefined> => {
    asked.push(`${name}/${key}`);
    return name === v.secret.name ? v.secret.data[key] : undefined;
  };
  return { fetch, asked, deps: { secret: async (ns, name, key) => (ns === 'testing-ns' ? fetch(name, key) : undefined) } };
}

/** Tekton's expression tests build the env with Go native ints, so integral JSON numbers are CEL ints here. */
function goTestInput(v: Vectors, body: Record<string, unknown>) {
  return { body: celInputFromJson(body, { integers: 'int' }), header: v.env.header, requestURL: v.env.requestURL };
}

let counts = { cases: 0, errors: 0, process: 0 };

test('cel-vectors.json: cases', { skip }, async (t) => {
  const v = vectors!;
  const cel = await triggerCel();
  for (const c of v.cases) {
    await t.test(c.name, async () => {
      const r = await cel.evaluate(c.expr, goTestInput(v, v.env.body), secrets(v).fetch);
      assert.ok(!('error' in r), `${c.expr}: ${'error' in r ? r.error : ''}`);
      const got = r.value;
      const w = c.want;
      if ('string' in w) assert.equal(got, w.string);
      else if ('bool' in w) assert.equal(got, w.bool);
      else if ('int' in w) assert.equal(got, BigInt(w.int!));
      else if ('null' in w) assert.equal(got, null);
      else if ('bytes_utf8' in w) {
        assert.ok(got instanceof Uint8Array, 'want bytes');
        assert.equal(new TextDecoder().decode(got), w.bytes_utf8);
      } else if ('list' in w) assert.deepEqual(celToJson(cel.lib, got), w.list);
      else assert.fail(`unknown want ${JSON.stringify(w)}`);
      counts.cases++;
    });
  }
});

test('cel-vectors.json: errors', { skip }, async (t) => {
  const v = vectors!;
  const cel = await triggerCel();
  const body = { ...v.env.body, ...v.error_env_body_overrides };
  for (const c of v.errors) {
    await t.test(c.name, async () => {
      const r = await cel.evaluate(c.expr, goTestInput(v, body), secrets(v).fetch);
      assert.ok('error' in r, `${c.expr} evaluated to ${'value' in r ? String(r.value) : ''}`);
      assert.ok(r.error.includes(c.errorContains), `error ${JSON.stringify(r.error)} does not contain ${JSON.stringify(c.errorContains)}`);
      counts.errors++;
    });
  }
});

test('cel-vectors.json: process (the CEL interceptor)', { skip }, async (t) => {
  const v = vectors!;
  for (const c of v.process.cases) {
    await t.test(c.name, async () => {
      const params: Record<string, unknown> = {};
      if (c.filter !== undefined) params.filter = c.filter;
      if (c.overlays !== undefined) params.overlays = c.overlays;
      const res = await celInterceptor(
        { body: JSON.stringify(c.body), header: v.process.headers, extensions: c.extensions ?? {}, interceptor_params: params, context: v.process.context },
        secrets(v).deps,
      );
      assert.equal(res.status, undefined, JSON.stringify(res.status));
      assert.equal(res.continue, c.wantContinue ?? true);
      if (c.wantExtensions) assert.deepEqual(res.extensions, c.wantExtensions);
      else assert.ok(!('extensions' in res), 'no overlays: no extensions key');
      counts.process++;
    });
  }
});

test('cel-vectors.json: every case ran', { skip }, () => {
  const v = vectors!;
  assert.deepEqual(counts, { cases: v.cases.length, errors: v.errors.length, process: v.process.cases.length });
  console.log(`cel vectors passing: cases ${counts.cases}/${v.cases.length}, errors ${counts.errors}/${v.errors.length}, process ${counts.process}/${v.process.cases.length}`);
});
