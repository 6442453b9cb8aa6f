import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { artifactReplacements, parseArtifacts } from './artifacts.ts';

describe('artifactReplacements', () => {
  const cases: Array<{ name: string; input: Record<string, string>; want: string[][]; errors: number }> = [
    {
      name: 'inputs and outputs become the JSON of their values',
      input: { producer: '{"inputs":[{"name":"src","values":[{"uri":"pkg:a"}]}],"outputs":[{"name":"image","buildOutput":true,"values":[{"uri":"pkg:b","digest":{"sha256":"x"}}]}]}' },
      want: [['steps.producer.inputs.src', '[{"uri":"pkg:a"}]'], ['steps.producer.outputs.image', '[{"uri":"pkg:b","digest":{"sha256":"x"}}]']],
      errors: 0,
    },
    { name: 'an artifact without values is an empty list', input: { s: '{"outputs":[{"name":"o"}]}' }, want: [['steps.s.outputs.o', '[]']], errors: 0 },
    { name: 'bad JSON is reported, not thrown', input: { s: '{nope' }, want: [], errors: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = artifactReplacements(c.input);
      assert.deepEqual([...r.strings], c.want);
      assert.equal(r.errors.length, c.errors);
    });
  }
});

describe('parseArtifacts', () => {
  it('reads inputs and outputs', () => {
    assert.deepEqual(parseArtifacts('{"inputs":[{"name":"a","values":[]}],"outputs":[]}'), { inputs: [{ name: 'a', values: [] }], outputs: [] });
  });
  it('absent or broken files give nothing', () => {
    assert.equal(parseArtifacts(undefined), undefined);
    assert.equal(parseArtifacts('not json'), undefined);
  });
});
