// For tests: validates CDEvents against the CDEvents v0.5.1 JSON schemas (../shared/cdevents,
// beside the repository), as the spec's own tools/validate.js does: Ajv2020 + ajv-formats, the
// link schemas registered first. Absent schemas: `cdeventSchemas()` is undefined (tests skip).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** Where the CDEvents schemas and conformance examples are kept. */
export const CDEVENTS_DIR = fileURLToPath(new URL('../../../shared/cdevents/', import.meta.url));

export interface CDEventSchemas {
  /** the schema errors of `event` (by its context.type), or [] when valid */
  errors(event: unknown): string[];
}

let cached: CDEventSchemas | undefined | null = null;

/** The validator, or undefined when ../shared/cdevents is not there. */
export function cdeventSchemas(): CDEventSchemas | undefined {
  if (cached !== null) return cached;
  const dir = `${CDEVENTS_DIR}schemas/`;
  if (!existsSync(dir)) return (cached = undefined);
  const ajv = new Ajv2020({ strict: false, validateFormats: true, allErrors: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
  addFormats(ajv);
  for (const f of readdirSync(`${dir}links`)) ajv.addSchema(JSON.parse(readFileSync(`${dir}links/${f}`, 'utf8')));
  const byType = new Map<string, ReturnType<Ajv2020['compile']>>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const schema = JSON.parse(readFileSync(dir + f, 'utf8'));
    const type = schema.properties.context.properties.type.enum[0] as string;
    byType.set(type, ajv.compile(schema));
  }
  cached = {
    errors(event) {
      const type = (event as { context?: { type?: string } })?.context?.type ?? '';
      const v = byType.get(type);
      if (!v) return [`context.type: no schema for "${type}"`];
      return v(event) ? [] : (v.errors ?? []).map((e) => `${type}: ${e.instancePath || '/'} ${e.message ?? ''}`);
    },
  };
  return cached;
}

/** The spec's conformance examples: file name → parsed JSON (empty without ../shared). */
export function conformanceExamples(): Map<string, unknown> {
  const dir = `${CDEVENTS_DIR}conformance/`;
  const out = new Map<string, unknown>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) out.set(f, JSON.parse(readFileSync(dir + f, 'utf8')));
  return out;
}
