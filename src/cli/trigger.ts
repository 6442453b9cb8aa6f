// `kiln trigger test LISTENER --payload FILE [-H 'Name: value']…`: what a listener would do with an
// event — which triggers match, which interceptor rejects it and why, the params the bindings
// produce and the resources the template renders — without creating anything.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KilnClient } from '../client/client.ts';
import { CliError, EXIT } from './exit.ts';
import type { Writers } from './reporter.ts';

export interface TriggerTestOptions {
  listener: string;
  namespace: string;
  payload: string;
  headers: string[];
  output?: 'json' | 'yaml';
  client: () => Promise<KilnClient>;
  w: Writers;
}

/** `-H 'X-GitHub-Event: push'` → {name: [values]} (repeatable). */
export function parseHeaders(flags: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const f of flags) {
    const i = f.indexOf(':');
    if (i <= 0) throw new CliError(EXIT.invalid, `--header ${f}: expected "Name: value"`);
    const name = f.slice(0, i).trim();
    (out[name] ??= []).push(f.slice(i + 1).trim());
  }
  return out;
}

const MARK = { accepted: '✔', rejected: '✘', failed: '!' } as const;

export async function triggerTestCommand(o: TriggerTestOptions): Promise<number> {
  let body: string;
  try {
    body = readFileSync(o.payload === '-' ? 0 : o.payload, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.invalid, `--payload ${o.payload}: ${(e as Error).message}`);
  }
  const headers = parseHeaders(o.headers);
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = ['application/json'];
  const client = await o.client();
  try {
    if (!client.triggerTest) throw new CliError(EXIT.unsupported, 'kiln trigger test needs a kiln server (kiln serve)');
    const result = await client.triggerTest(o.namespace, o.listener, { body, headers });
    if (o.output === 'json') o.w.out(JSON.stringify(result, null, 2));
    else if (o.output === 'yaml') o.w.out(stringify(result).trimEnd());
    else {
      if (!result.outcomes.length) o.w.out('no trigger of the listener matched this event');
      for (const x of result.outcomes) {
        o.w.out(`${MARK[x.outcome]} ${x.outcome}: ${x.message}`);
        for (const p of x.params ?? []) o.w.out(`    param ${p.name} = ${p.value}`);
        for (const r of x.resources ?? []) o.w.out(stringify(r).trimEnd().replace(/^/gm, '    '));
      }
    }
    return result.outcomes.some((x) => x.outcome === 'accepted') ? EXIT.ok : EXIT.failed;
  } finally {
    await client.close();
  }
}
