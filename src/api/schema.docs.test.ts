import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KINDS } from './registry.ts';
import type { ObjectSchema, Schema, SchemaName } from './schema.ts';
import { NAMED_SCHEMAS } from './schema.ts';
import { fieldDocsOf, kindDocs, TYPE_DOCS } from './schema.docs.ts';

const NAMED = new Set<Schema>(Object.values(NAMED_SCHEMAS));

/**
 * Why a description key of `owner` reaches no field ('' when it does): each dotted part must be
 * a field (or legacy field) of an inline object; lists and maps are stepped through; passing
 * through another named object would make the key dead (that object's own docs apply there).
 */
function unreachable(owner: ObjectSchema, key: string): string {
  let node: Schema = owner;
  const parts = key.split('.');
  for (const [i, part] of parts.entries()) {
    while (node.t === 'list' || node.t === 'mapOf') node = node.of;
    if (node.t !== 'object') return `${parts.slice(0, i).join('.')} is not an object`;
    if (i > 0 && NAMED.has(node)) return `${parts.slice(0, i).join('.')} is a named schema with docs of its own`;
    const next: Schema | undefined = Object.hasOwn(node.fields, part) ? node.fields[part] : node.legacy?.[part];
    if (!next) return `no field ${part}`;
    node = next;
  }
  return '';
}

describe('schema docs', () => {
  it('every description key names a field that exists (no stale or misspelt key)', () => {
    const bad: string[] = [];
    for (const [name, docs] of Object.entries(TYPE_DOCS)) {
      for (const key of Object.keys(docs)) {
        const why = unreachable(NAMED_SCHEMAS[name as SchemaName], key);
        if (why) bad.push(`${name}.${key}: ${why}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('every field of a named schema is described by that schema\'s docs', () => {
    const missing: string[] = [];
    for (const [name, node] of Object.entries(NAMED_SCHEMAS)) {
      const docs = TYPE_DOCS[name as SchemaName];
      for (const k of [...Object.keys(node.fields), ...Object.keys(node.legacy ?? {})]) if (!docs[k]?.trim()) missing.push(`${name}.${k}`);
    }
    assert.deepEqual(missing, []);
  });

  it('fieldDocsOf finds a named schema by identity, not an inline one', () => {
    assert.equal(fieldDocsOf(NAMED_SCHEMAS.PipelineTask), TYPE_DOCS.PipelineTask);
    assert.match(fieldDocsOf(NAMED_SCHEMAS.PipelineTask)!.runAfter, /must finish before this one starts/);
    assert.equal(fieldDocsOf({ t: 'object', fields: { ...NAMED_SCHEMAS.PipelineTask.fields } }), undefined);
  });

  it('each name is a distinct schema object (two names for one object would hide a docs record)', () => {
    assert.equal(NAMED.size, Object.keys(NAMED_SCHEMAS).length);
  });

  it('every kind has its own description and the common fields', () => {
    for (const k of KINDS) {
      const docs = kindDocs(k.kind);
      assert.ok(docs['']?.trim(), `${k.kind}: no description`);
      for (const f of ['apiVersion', 'kind', 'metadata']) assert.ok(docs[f], `${k.kind}.${f}`);
    }
    assert.equal(kindDocs('Unknown')[''], undefined);
    assert.ok(kindDocs('Unknown').spec);
  });
});
