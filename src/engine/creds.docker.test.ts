import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { base64, dockerFiles, goJson } from './creds.docker.ts';

describe('docker credentials', () => {
  test('basic-auth entries: username, password, auth and Tekton\'s placeholder email', () => {
    const { files, errors } = dockerFiles([], [{ secret: 'a', url: 'https://index.docker.io/v1/', username: 'u', password: 'p' }]);
    assert.deepEqual(errors, []);
    assert.equal(files['.docker/config.json'], `{"auths":{"https://index.docker.io/v1/":{"username":"u","password":"p","auth":"${base64('u:p')}","email":"not@val.id"}}}`);
  });
  test('merged: dockercfg, then dockerconfigjson, then basic-auth win in turn; registries sorted; other fields dropped', () => {
    const { files, errors } = dockerFiles([
      { secret: 'j', key: '.dockerconfigjson', text: JSON.stringify({ auths: { 'b.io': { auth: 'J', identitytoken: 'x' }, 'c.io': { auth: 'J2', email: 'e@x' } } }) },
      { secret: 'c', key: '.dockercfg', text: JSON.stringify({ 'b.io': { auth: 'C' }, 'z.io': { username: 'zu', auth: 'Z' } }) },
    ], [{ secret: 'b', url: 'c.io', username: 'bu', password: 'bp' }]);
    assert.deepEqual(errors, []);
    assert.deepEqual(JSON.parse(files['.docker/config.json']), {
      auths: {
        'b.io': { auth: 'J' },
        'c.io': { username: 'bu', password: 'bp', auth: base64('bu:bp'), email: 'not@val.id' },
        'z.io': { username: 'zu', auth: 'Z' },
      },
    });
    assert.deepEqual(Object.keys(JSON.parse(files['.docker/config.json']).auths), ['b.io', 'c.io', 'z.io']);
  });
  test('nothing to write: no file', () => assert.deepEqual(dockerFiles([{ secret: 'e', key: '.dockerconfigjson', text: '{"auths":{}}' }], []), { files: {}, errors: [] }));
  const bad = [
    { name: 'not JSON', text: '{', want: /^secret "s": \.dockerconfigjson is not JSON/ },
    { name: 'auths not an object', text: '{"auths":[1]}', want: /^secret "s": \.dockerconfigjson has no "auths" object$/ },
    { name: 'a field not a string', text: '{"auths":{"r":{"auth":1}}}', want: /^secret "s": \.dockerconfigjson: "r"\.auth is not a string$/ },
  ];
  for (const c of bad) {
    test(`an unreadable Secret is named: ${c.name}`, () => {
      const got = dockerFiles([{ secret: 's', key: '.dockerconfigjson', text: c.text }], []);
      assert.equal(got.errors.length, 1);
      assert.match(got.errors[0], c.want);
    });
  }
  test('one registry from two basic-auth Secrets is an error', () => {
    const e = { url: 'r.io', username: 'u', password: 'p' };
    assert.deepEqual(dockerFiles([], [{ secret: 'a', ...e }, { secret: 'b', ...e }]).errors, ['secret "b": more than one basic-auth Secret annotated tekton.dev/docker-* for r.io']);
  });
  test('JSON as Go writes it: HTML characters escaped', () => assert.equal(goJson({ a: '<&>' }), '{"a":"\\u003c\\u0026\\u003e"}'));
  test('base64 of UTF-8', () => assert.equal(base64('é:x'), Buffer.from('é:x').toString('base64')));
});
