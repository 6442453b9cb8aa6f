// The jq engine for ignoreDifferences jqPathExpressions: jq itself compiled to WebAssembly (jq-web),
// loaded once on first use. Its environment is emscripten's stand-in (`env` shows no host variable).
import type { JqEngine } from './diff/ignore.ts';
import type { JObj } from './diff/json.ts';

interface JqWeb { raw(input: string, filter: string, flags?: string[]): string }

let loading: Promise<JqEngine> | undefined;

/** Loads jq (≈80 ms the first time); later calls share the engine. Each deletePaths runs `del(<expr>)`. */
export function loadJq(): Promise<JqEngine> {
  loading ??= import('jq-web').then(async function ready(m) {
    const jq = (await (m.default as unknown as Promise<JqWeb>));
    return {
      deletePaths(obj: JObj, expr: string): JObj {
        let out: string;
        try {
          out = jq.raw(JSON.stringify(obj), `del(${expr})`, ['-c']);
        } catch (e) {
          throw new Error(String((e as Error).message ?? e).replace(/^Non-zero exit code: \d+\n?/, '').trim());
        }
        const first = out.split('\n').find((x) => x.trim());
        const r = first === undefined ? undefined : JSON.parse(first) as unknown;
        if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error(`del(${expr}) did not return an object`);
        return r as JObj;
      },
    };
  }).catch(function retryLater(e: unknown) {
    loading = undefined;
    throw e;
  });
  return loading;
}
