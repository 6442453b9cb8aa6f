import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyJsonPatch, applyMergePatch, applyStrategicMergePatch, checkPatchedSize, cloneJson, MAX_JSON_PATCH_OPERATIONS, parseJsonPatch, parsePointer,
  PatchError, PatchLimitError, type JsonPatchOperation,
} from './patch.ts';

/** Asserts that `fn` throws a PatchError with `malformed` and a message matching `message`. */
function assertPatchError(fn: () => unknown, malformed: boolean, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PatchError, `expected a PatchError, got ${String(e)}`);
    assert.equal(e.malformed, malformed, `malformed for ${e.message}`);
    assert.match(e.message, message);
    return true;
  });
}

describe('applyMergePatch (RFC 7386)', () => {
  // RFC 7386 Appendix A, every example
  const cases: Array<{ name: string; target: unknown; patch: unknown; want: unknown }> = [
    { name: 'replaces a member', target: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'adds a member', target: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
    { name: 'null deletes', target: { a: 'b' }, patch: { a: null }, want: {} },
    { name: 'null deletes only its member', target: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
    { name: 'a scalar replaces a list', target: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
    { name: 'a list replaces a scalar', target: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
    { name: 'nested objects merge, nested null deletes', target: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
    { name: 'lists are replaced, not merged', target: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
    { name: 'a list patch replaces a list', target: ['a', 'b'], patch: ['c', 'd'], want: ['c', 'd'] },
    { name: 'a list patch replaces an object', target: { a: 'b' }, patch: ['c'], want: ['c'] },
    { name: 'a null patch is the result', target: { a: 'foo' }, patch: null, want: null },
    { name: 'a string patch is the result', target: { a: 'foo' }, patch: 'bar', want: 'bar' },
    { name: 'nulls in the target stay', target: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
    { name: 'an object patch over a list starts from {}', target: [1, 2], patch: { a: 'b', c: null }, want: { a: 'b' } },
    { name: 'nulls inside new members are dropped', target: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
    { name: 'nulls inside a list are kept (the list replaces)', target: { a: 1 }, patch: { a: [null, 1] }, want: { a: [null, 1] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = cloneJson(c.target);
      assert.deepEqual(applyMergePatch(c.target, c.patch), c.want);
      assert.deepEqual(c.target, before, 'the target is not mutated');
    });
  }

  it('keeps __proto__ as plain data and never pollutes prototypes', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}, "a": {"__proto__": {"x": 1}}}');
    const out = applyMergePatch({ a: {} }, patch) as Record<string, Record<string, unknown>>;
    assert.ok(Object.hasOwn(out, '__proto__'));
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: true });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.ok(Object.hasOwn(out.a, '__proto__'));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(JSON.stringify(out), '{"a":{"__proto__":{"x":1}},"__proto__":{"polluted":true}}');
  });

  it('deletes an own __proto__ member with null', () => {
    const target = JSON.parse('{"__proto__": 1, "b": 2}');
    assert.equal(JSON.stringify(applyMergePatch(target, JSON.parse('{"__proto__": null}'))), '{"b":2}');
  });
});

describe('parsePointer', () => {
  const cases: Array<{ name: string; pointer: string; want?: string[]; error?: RegExp }> = [
    { name: 'the whole document', pointer: '', want: [] },
    { name: 'the empty key', pointer: '/', want: [''] },
    { name: 'escapes', pointer: '/a~1b/m~0n', want: ['a/b', 'm~n'] },
    { name: '~01 is ~1, not /', pointer: '/~01', want: ['~1'] },
    { name: 'no leading slash', pointer: 'a/b', error: /must start with "\/"/ },
    { name: 'bad escape', pointer: '/a~2', error: /bad escape/ },
    { name: 'trailing ~', pointer: '/a~', error: /bad escape/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) assertPatchError(() => parsePointer(c.pointer), true, c.error);
      else assert.deepEqual(parsePointer(c.pointer), c.want);
    });
  }
});

describe('applyJsonPatch (RFC 6902)', () => {
  // RFC 6902 Appendix A examples, and more
  const cases: Array<{ name: string; target: unknown; patch: unknown; want: unknown }> = [
    { name: 'A.1 add an object member', target: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], want: { baz: 'qux', foo: 'bar' } },
    { name: 'A.2 add an array element', target: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], want: { foo: ['bar', 'qux', 'baz'] } },
    { name: 'A.3 remove an object member', target: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], want: { foo: 'bar' } },
    { name: 'A.4 remove an array element', target: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], want: { foo: ['bar', 'baz'] } },
    { name: 'A.5 replace a value', target: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], want: { baz: 'boo', foo: 'bar' } },
    {
      name: 'A.6 move a value',
      target: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
      want: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
    },
    { name: 'A.7 move an array element', target: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], want: { foo: ['all', 'cows', 'eat', 'grass'] } },
    { name: 'A.8 test succeeds', target: { baz: 'qux', foo: ['a', 2, 'c'] }, patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], want: { baz: 'qux', foo: ['a', 2, 'c'] } },
    { name: 'A.10 add a nested member object', target: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], want: { foo: 'bar', child: { grandchild: {} } } },
    { name: 'A.11 unknown members of an operation are ignored', target: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }], want: { foo: 'bar', baz: 'qux' } },
    { name: 'A.14 ~ escape ordering', target: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: 10 }], want: { '/': 9, '~1': 10 } },
    { name: 'A.16 add an array value', target: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], want: { foo: ['bar', ['abc', 'def']] } },
    { name: '"-" appends', target: { a: [1, 2] }, patch: [{ op: 'add', path: '/a/-', value: 3 }, { op: 'add', path: '/a/-', value: 4 }], want: { a: [1, 2, 3, 4] } },
    { name: 'add at the length appends', target: { a: [1] }, patch: [{ op: 'add', path: '/a/1', value: 2 }], want: { a: [1, 2] } },
    { name: 'add replaces an existing member', target: { a: 1 }, patch: [{ op: 'add', path: '/a', value: 2 }], want: { a: 2 } },
    { name: 'add at the root replaces the document', target: { a: 1 }, patch: [{ op: 'add', path: '', value: [1] }], want: [1] },
    { name: 'replace the root', target: { a: 1 }, patch: [{ op: 'replace', path: '', value: { b: 2 } }], want: { b: 2 } },
    { name: 'replace an array element keeps its place', target: { a: [1, 2, 3] }, patch: [{ op: 'replace', path: '/a/2', value: 9 }], want: { a: [1, 2, 9] } },
    { name: 'copy', target: { a: { b: [1] } }, patch: [{ op: 'copy', from: '/a', path: '/c' }], want: { a: { b: [1] }, c: { b: [1] } } },
    { name: 'copy is deep (later ops do not alias)', target: { a: { b: 1 } }, patch: [{ op: 'copy', from: '/a', path: '/c' }, { op: 'replace', path: '/c/b', value: 2 }], want: { a: { b: 1 }, c: { b: 2 } } },
    { name: 'move to itself is a no-op', target: { a: 1 }, patch: [{ op: 'move', from: '/a', path: '/a' }], want: { a: 1 } },
    { name: 'move a child over its parent', target: { a: { b: 1 } }, patch: [{ op: 'move', from: '/a/b', path: '/a' }], want: { a: 1 } },
    { name: 'move to a sibling that shares a prefix', target: { a: 1 }, patch: [{ op: 'move', from: '/a', path: '/ab' }], want: { ab: 1 } },
    { name: 'test compares deeply, ignoring key order', target: { a: { x: [1, { y: 2 }], z: null } }, patch: [{ op: 'test', path: '/a', value: { z: null, x: [1, { y: 2 }] } }], want: { a: { x: [1, { y: 2 }], z: null } } },
    { name: 'the empty key', target: { '': 1 }, patch: [{ op: 'replace', path: '/', value: 2 }], want: { '': 2 } },
    { name: 'an empty patch', target: { a: 1 }, patch: [], want: { a: 1 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = cloneJson(c.target);
      assert.deepEqual(applyJsonPatch(c.target, c.patch), c.want);
      assert.deepEqual(c.target, before, 'the target is not mutated');
    });
  }

  const failures: Array<{ name: string; target: unknown; patch: unknown; malformed: boolean; message: RegExp }> = [
    { name: 'not a list', target: {}, patch: { op: 'add' }, malformed: true, message: /must be a list of operations/ },
    { name: 'an operation that is not an object', target: {}, patch: ['add'], malformed: true, message: /operation 0: must be an object/ },
    { name: 'unknown op', target: {}, patch: [{ op: 'frobnicate', path: '/a' }], malformed: true, message: /operation 0: unknown op "frobnicate"/ },
    { name: 'missing op', target: {}, patch: [{ path: '/a', value: 1 }], malformed: true, message: /unknown op undefined/ },
    { name: 'missing path', target: {}, patch: [{ op: 'remove' }], malformed: true, message: /missing "path"/ },
    { name: 'path without a leading slash', target: { a: 1 }, patch: [{ op: 'remove', path: 'a' }], malformed: true, message: /must start with "\/"/ },
    { name: 'missing value (add)', target: {}, patch: [{ op: 'add', path: '/a' }], malformed: true, message: /operation 0 \(add\): missing "value"/ },
    { name: 'missing value (test)', target: {}, patch: [{ op: 'test', path: '/a' }], malformed: true, message: /\(test\): missing "value"/ },
    { name: 'missing from (move)', target: { a: 1 }, patch: [{ op: 'move', path: '/b' }], malformed: true, message: /\(move\): missing "from"/ },
    { name: 'missing from (copy)', target: { a: 1 }, patch: [{ op: 'copy', path: '/b' }], malformed: true, message: /\(copy\): missing "from"/ },
    { name: 'bad escape in from', target: { a: 1 }, patch: [{ op: 'copy', from: '/a~', path: '/b' }], malformed: true, message: /bad escape/ },
    { name: 'a malformed later op is found before anything applies', target: { a: 1 }, patch: [{ op: 'remove', path: '/zzz' }, { op: 'nope', path: '/a' }], malformed: true, message: /operation 1: unknown op/ },
    { name: 'A.9 test fails', target: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], malformed: false, message: /test failed: \/baz is not "bar"/ },
    { name: 'A.15 test: a string is not a number', target: { '/': 9, '~1': 10 }, patch: [{ op: 'test', path: '/~01', value: '10' }], malformed: false, message: /test failed/ },
    { name: 'test of a missing path', target: {}, patch: [{ op: 'test', path: '/a', value: null }], malformed: false, message: /\/a: path does not exist/ },
    { name: 'A.12 add to a nonexistent target', target: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }], malformed: false, message: /\/baz\/bat: path does not exist/ },
    { name: 'add under a scalar', target: { a: 1 }, patch: [{ op: 'add', path: '/a/b', value: 2 }], malformed: false, message: /parent is not an object or a list/ },
    { name: 'add past the end of a list', target: { a: [1] }, patch: [{ op: 'add', path: '/a/2', value: 2 }], malformed: false, message: /index 2 out of range/ },
    { name: 'a leading zero is not an index', target: { a: [1, 2] }, patch: [{ op: 'replace', path: '/a/01', value: 2 }], malformed: false, message: /"01" is not an array index/ },
    { name: 'a negative index', target: { a: [1] }, patch: [{ op: 'remove', path: '/a/-1' }], malformed: false, message: /"-1" is not an array index/ },
    { name: 'remove a missing member', target: { a: 1 }, patch: [{ op: 'remove', path: '/b' }], malformed: false, message: /\/b: path does not exist/ },
    { name: 'remove past the end', target: { a: [1] }, patch: [{ op: 'remove', path: '/a/1' }], malformed: false, message: /index 1 out of range/ },
    { name: 'remove "-"', target: { a: [1] }, patch: [{ op: 'remove', path: '/a/-' }], malformed: false, message: /"-" is not an array index/ },
    { name: 'remove the whole document', target: { a: 1 }, patch: [{ op: 'remove', path: '' }], malformed: false, message: /cannot remove the whole document/ },
    { name: 'replace a missing member', target: { a: 1 }, patch: [{ op: 'replace', path: '/b', value: 2 }], malformed: false, message: /\/b: path does not exist/ },
    { name: 'move from a missing path', target: { a: 1 }, patch: [{ op: 'move', from: '/b', path: '/c' }], malformed: false, message: /\/b: path does not exist/ },
    { name: 'move into its own child', target: { a: { b: 1 } }, patch: [{ op: 'move', from: '/a', path: '/a/b/c' }], malformed: false, message: /cannot move \/a into its own child \/a\/b\/c/ },
    { name: 'copy from a missing path', target: { a: 1 }, patch: [{ op: 'copy', from: '/x/y', path: '/c' }], malformed: false, message: /\/x\/y: path does not exist/ },
    { name: 'inherited members are not members', target: {}, patch: [{ op: 'test', path: '/constructor', value: {} }], malformed: false, message: /\/constructor: path does not exist/ },
  ];
  for (const c of failures) {
    it(`fails: ${c.name}`, () => {
      const before = cloneJson(c.target);
      assertPatchError(() => applyJsonPatch(c.target, c.patch), c.malformed, c.message);
      assert.deepEqual(c.target, before, 'the target is not mutated');
    });
  }

  it('is all or nothing: a failing op leaves the target as it was', () => {
    const target = { a: [1], b: 'x' };
    assertPatchError(() => applyJsonPatch(target, [
      { op: 'add', path: '/a/-', value: 2 },
      { op: 'remove', path: '/b' },
      { op: 'test', path: '/a/0', value: 99 },
    ]), false, /test failed/);
    assert.deepEqual(target, { a: [1], b: 'x' });
  });

  it('does not alias the patch values into the result', () => {
    const value = { deep: [1] };
    const out = applyJsonPatch({}, [{ op: 'add', path: '/v', value }]) as { v: { deep: number[] } };
    out.v.deep.push(2);
    assert.deepEqual(value, { deep: [1] });
  });

  it('keeps __proto__ as plain data and never pollutes prototypes', () => {
    const out = applyJsonPatch({}, [
      { op: 'add', path: '/__proto__', value: { polluted: true } },
      { op: 'add', path: '/__proto__/more', value: 1 },
    ]) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":true,"more":1}}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    // __proto__ of an object without that own member is not a path into Object.prototype
    assertPatchError(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: true }]), false, /path does not exist/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const removed = applyJsonPatch(JSON.parse('{"__proto__": 1, "a": 2}'), [{ op: 'remove', path: '/__proto__' }]);
    assert.equal(JSON.stringify(removed), '{"a":2}');
  });
});

describe('parseJsonPatch', () => {
  it('returns the operations with their fields', () => {
    assert.deepEqual(parseJsonPatch([{ op: 'copy', from: '/a', path: '/b' }, { op: 'add', path: '/c', value: null }]), [
      { op: 'copy', path: '/b', from: '/a', value: undefined },
      { op: 'add', path: '/c', from: undefined, value: null },
    ]);
  });
});

describe('applyStrategicMergePatch', () => {
  const pod = {
    metadata: { name: 'p', labels: { a: '1', b: '2' }, finalizers: ['x'] },
    spec: {
      containers: [
        { name: 'main', image: 'alpine', ports: [{ containerPort: 80, protocol: 'TCP' }], volumeMounts: [{ name: 'v', mountPath: '/a' }] },
        { name: 'side', image: 'busybox' },
      ],
      args: ['a', 'b'],
    },
    status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Succeeded', status: 'Unknown' }] },
  };
  const cases: Array<{ name: string; target: unknown; patch: unknown; want: unknown }> = [
    {
      name: 'maps merge and null deletes, as a merge patch',
      target: pod.metadata, patch: { labels: { a: null, c: '3' } },
      want: { name: 'p', labels: { b: '2', c: '3' }, finalizers: ['x'] },
    },
    {
      name: 'lists of objects merge by name',
      target: { spec: pod.spec }, patch: { spec: { containers: [{ name: 'side', image: 'busybox:2' }, { name: 'new', image: 'x' }] } },
      want: {
        spec: {
          containers: [pod.spec.containers[0], { name: 'side', image: 'busybox:2' }, { name: 'new', image: 'x' }],
          args: ['a', 'b'],
        },
      },
    },
    {
      name: 'nested lists merge by their own keys (ports by containerPort, volumeMounts by mountPath)',
      target: { spec: pod.spec },
      patch: { spec: { containers: [{ name: 'main', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }], volumeMounts: [{ mountPath: '/a', readOnly: true }] }] } },
      want: {
        spec: {
          containers: [
            { name: 'main', image: 'alpine', ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443 }], volumeMounts: [{ name: 'v', mountPath: '/a', readOnly: true }] },
            pod.spec.containers[1],
          ],
          args: ['a', 'b'],
        },
      },
    },
    {
      name: 'conditions merge by type',
      target: { status: pod.status }, patch: { status: { conditions: [{ type: 'Succeeded', status: 'True', reason: 'Done' }] } },
      want: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Succeeded', status: 'True', reason: 'Done' }] } },
    },
    {
      name: 'ownerReferences merge by uid',
      target: { ownerReferences: [{ uid: 'u1', name: 'a' }, { uid: 'u2', name: 'b' }] }, patch: { ownerReferences: [{ uid: 'u2', name: 'c' }] },
      want: { ownerReferences: [{ uid: 'u1', name: 'a' }, { uid: 'u2', name: 'c' }] },
    },
    {
      name: '$patch: delete removes one list item by key',
      target: { spec: pod.spec }, patch: { spec: { containers: [{ name: 'main', $patch: 'delete' }] } },
      want: { spec: { containers: [pod.spec.containers[1]], args: ['a', 'b'] } },
    },
    {
      name: '$patch: delete of a missing item is a no-op',
      target: { l: [{ name: 'a' }] }, patch: { l: [{ name: 'zzz', $patch: 'delete' }] }, want: { l: [{ name: 'a' }] },
    },
    {
      name: '$patch: replace in a list replaces the whole list',
      target: { spec: pod.spec }, patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } },
      want: { spec: { containers: [{ name: 'only', image: 'x' }], args: ['a', 'b'] } },
    },
    {
      name: '$patch: replace on a map replaces it',
      target: { metadata: pod.metadata }, patch: { metadata: { $patch: 'replace', name: 'q', labels: { z: '1', gone: null } } },
      want: { metadata: { name: 'q', labels: { z: '1' } } },
    },
    {
      name: '$patch: delete on a map removes it',
      target: { a: { b: 1 }, c: 2 }, patch: { a: { $patch: 'delete' } }, want: { c: 2 },
    },
    {
      name: 'lists of scalars are replaced',
      target: { spec: { args: ['a', 'b'] } }, patch: { spec: { args: ['c'] } }, want: { spec: { args: ['c'] } },
    },
    {
      name: 'lists whose items lack the merge key are replaced',
      target: { l: [{ name: 'a', v: 1 }] }, patch: { l: [{ v: 2 }] }, want: { l: [{ v: 2 }] },
    },
    {
      name: 'finalizers merge as a set',
      target: { metadata: { finalizers: ['x', 'y'] } }, patch: { metadata: { finalizers: ['y', 'z'] } }, want: { metadata: { finalizers: ['x', 'y', 'z'] } },
    },
    {
      name: '$deleteFromPrimitiveList removes values',
      target: { metadata: { finalizers: ['x', 'y', 'z'] } }, patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['x', 'z'] } }, want: { metadata: { finalizers: ['y'] } },
    },
    {
      name: '$setElementOrder is ignored',
      target: { l: [{ name: 'a' }, { name: 'b' }] }, patch: { '$setElementOrder/l': [{ name: 'b' }, { name: 'a' }], l: [{ name: 'a', v: 1 }] },
      want: { l: [{ name: 'a', v: 1 }, { name: 'b' }] },
    },
    {
      name: '$retainKeys drops the keys it does not list',
      target: { strategy: { type: 'Rolling', rolling: { max: 1 } } }, patch: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
      want: { strategy: { type: 'Recreate' } },
    },
    {
      name: 'directives are stripped from values that merge into nothing',
      target: {}, patch: { a: [{ name: 'x', $patch: 'merge', b: null, c: 1 }] }, want: { a: [{ name: 'x', c: 1 }] },
    },
    {
      name: 'a non-object target starts from {}',
      target: 'scalar', patch: { a: 1 }, want: { a: 1 },
    },
    {
      name: 'a top-level $patch: delete leaves {}',
      target: { a: 1 }, patch: { $patch: 'delete' }, want: {},
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = cloneJson(c.target);
      assert.deepEqual(applyStrategicMergePatch(c.target, c.patch), c.want);
      assert.deepEqual(c.target, before, 'the target is not mutated');
    });
  }

  const failures: Array<{ name: string; patch: unknown; message: RegExp }> = [
    { name: 'not an object', patch: [{ a: 1 }], message: /must be an object/ },
    { name: 'unknown $patch directive', patch: { a: { $patch: 'explode' } }, message: /unknown \$patch directive "explode"/ },
    { name: 'unknown $patch directive in a list item', patch: { l: [{ name: 'a', $patch: 'explode' }] }, message: /unknown \$patch directive/ },
    { name: '$deleteFromPrimitiveList not a list', patch: { '$deleteFromPrimitiveList/finalizers': 'x' }, message: /must be a list/ },
    { name: '$retainKeys not a list of strings', patch: { $retainKeys: [1] }, message: /\$retainKeys must be a list of strings/ },
  ];
  for (const c of failures) {
    it(`fails (malformed): ${c.name}`, () => assertPatchError(() => applyStrategicMergePatch({ l: [{ name: 'a' }] }, c.patch), true, c.message));
  }

  it('keeps __proto__ as plain data and never pollutes prototypes', () => {
    const out = applyStrategicMergePatch({}, JSON.parse('{"__proto__": {"polluted": true}, "l": [{"name": "a", "__proto__": {"x": 1}}]}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":true},"l":[{"name":"a","__proto__":{"x":1}}]}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

/** Asserts that `fn` throws a PatchLimitError whose message matches `message`. */
function assertLimit(fn: () => unknown, message: RegExp | string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PatchLimitError, `expected a PatchLimitError, got ${String(e)}`);
    assert.equal(e.malformed, true);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

describe('JSON patch bounds (PatchLimits)', () => {
  const x = (n: number) => 'x'.repeat(n);
  const doubling = (n: number): JsonPatchOperation[] => [
    { op: 'add', path: '/a', value: [x(10)] },
    ...Array.from({ length: n }, () => ({ op: 'copy' as const, from: '/a', path: '/a/-' })),
  ];
  const refused: Array<{ name: string; target: unknown; patch: JsonPatchOperation[]; maxBytes?: number; maxDepth?: number; message: RegExp | string }> = [
    {
      name: 'copies each doubling a value stop at the copy that would pass the size',
      target: {}, patch: doubling(60), maxBytes: 1_000_000,
      message: 'the JSON patch copies more than 1000000 bytes in all, the request body limit (operation 17, copy /a/-)',
    },
    {
      name: 'a copy that would make the object larger than maxBytes',
      target: { a: x(400) }, patch: [{ op: 'copy', from: '/a', path: '/b' }, { op: 'copy', from: '/a', path: '/c' }], maxBytes: 1000,
      message: 'the patched object would be larger than 1000 bytes, the request body limit (operation 1, copy /c)',
    },
    {
      name: 'copies adding up to more than maxBytes, each removed again',
      target: { a: x(300) },
      patch: [1, 2, 3, 4].flatMap(() => [{ op: 'copy' as const, from: '/a', path: '/b' }, { op: 'remove' as const, path: '/b' }]), maxBytes: 1000,
      message: 'the JSON patch copies more than 1000 bytes in all, the request body limit (operation 6, copy /b)',
    },
    {
      name: 'adds past maxBytes',
      target: {}, patch: [{ op: 'add', path: '/a', value: x(600) }, { op: 'add', path: '/b', value: x(600) }], maxBytes: 1000,
      message: 'the patched object would be larger than 1000 bytes, the request body limit (operation 1, add /b)',
    },
    {
      name: 'replacing the whole document with a larger one',
      target: {}, patch: [{ op: 'replace', path: '', value: { a: x(2000) } }], maxBytes: 1000,
      message: /^the patched object would be larger than 1000 bytes, the request body limit \(operation 0, replace \)$/,
    },
    {
      name: 'an add nesting past maxDepth',
      target: { a: { b: {} } }, patch: [{ op: 'add', path: '/a/b/c', value: [[[1]]] }], maxDepth: 5,
      message: 'the patched object would be nested more than 5 levels deep (operation 0, add /a/b/c)',
    },
    {
      name: 'copies into their own value nesting past maxDepth',
      target: { a: {} }, patch: [{ op: 'copy', from: '/a', path: '/a/b' }, { op: 'copy', from: '/a', path: '/a/b/b' }, { op: 'copy', from: '/a', path: '/a/b/b/b' }], maxDepth: 6,
      message: 'the patched object would be nested more than 6 levels deep (operation 2, copy /a/b/b/b)',
    },
    {
      name: 'a move nesting past maxDepth',
      target: { a: [[[1]]], b: { c: { d: {} } } }, patch: [{ op: 'move', from: '/a', path: '/b/c/d/e' }], maxDepth: 6,
      message: 'the patched object would be nested more than 6 levels deep (operation 0, move /b/c/d/e)',
    },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, () => {
      const before = cloneJson(c.target);
      assertLimit(() => applyJsonPatch(c.target, c.patch, { maxBytes: c.maxBytes, maxDepth: c.maxDepth }), c.message);
      assert.deepEqual(c.target, before, 'the target is not mutated');
    });
  }

  it(`refuses more than ${MAX_JSON_PATCH_OPERATIONS} operations before applying any, and takes exactly that many`, () => {
    const ops = (n: number) => Array.from({ length: n }, () => ({ op: 'test', path: '/a', value: 1 }));
    assertLimit(() => applyJsonPatch({ a: 1 }, ops(MAX_JSON_PATCH_OPERATIONS + 1)), 'the allowed maximum operations in a JSON patch is 10000, got 10001');
    assert.deepEqual(applyJsonPatch({ a: 1 }, ops(MAX_JSON_PATCH_OPERATIONS)), { a: 1 });
    assertLimit(() => applyJsonPatch({ a: 1 }, ops(3), { maxOperations: 2 }), 'the allowed maximum operations in a JSON patch is 2, got 3');
  });

  it('the brief doubling patch (each copy doubling a value, 1.4 KB) is refused under the default 3 MiB', () => {
    const patch = doubling(40);
    assert.ok(JSON.stringify(patch).length < 2000);
    assertLimit(() => applyJsonPatch({}, patch), /^the JSON patch copies more than 3145728 bytes in all/);
  });

  it('counts what removes and replaces take away: a patch that stays within the limit passes', () => {
    const target = { a: x(900) };
    assert.deepEqual(applyJsonPatch(target, [{ op: 'replace', path: '/a', value: x(900) }], { maxBytes: 1000 }), { a: x(900) });
    assert.deepEqual(applyJsonPatch(target, [{ op: 'remove', path: '/a' }, { op: 'add', path: '/b', value: x(900) }], { maxBytes: 1000 }), { b: x(900) });
    assert.deepEqual(applyJsonPatch(target, [{ op: 'move', from: '/a', path: '/c' }], { maxBytes: 1000 }), { c: x(900) });
    assertLimit(() => applyJsonPatch(target, [{ op: 'add', path: '/b', value: x(100) }], { maxBytes: 1000 }), /larger than 1000 bytes/);
  });

  it('an object already larger than the limit may be patched, not grown', () => {
    const target = { a: x(2000), b: 'y' };
    assert.deepEqual(applyJsonPatch(target, [{ op: 'replace', path: '/b', value: 'z' }, { op: 'remove', path: '/a' }], { maxBytes: 1000 }), { b: 'z' });
    assertLimit(() => applyJsonPatch(target, [{ op: 'add', path: '/c', value: 1 }], { maxBytes: 1000 }), /larger than 1000 bytes/);
  });

  it('tracks the exact JSON size through random patches: the largest step passes, one byte less does not', () => {
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const keys = ['a', 'b', 'c', 'é"', '__proto__'];
    const values = () => [null, true, 12.5, 'str\n', [], {}, [1, { k: 'v' }], { a: [] }][rand(8)];
    for (let round = 0; round < 200; round++) {
      let doc: unknown = { a: [1, 2], b: { c: 'x' } };
      const start = JSON.stringify(doc).length;
      let largest = start;
      let copied = 0;
      const ops: JsonPatchOperation[] = [];
      for (let i = 0; i < 12; i++) {
        const paths = allPaths(doc);
        const path = paths[rand(paths.length)];
        const kind = rand(5);
        const container = containerAt(doc, path);
        let op: JsonPatchOperation;
        if (kind === 0 && container) op = { op: 'add', path: `${path}/${Array.isArray(container) ? '-' : keys[rand(keys.length)].replace(/~/g, '~0').replace(/\//g, '~1')}`, value: values() };
        else if (kind === 1 && path !== '') op = { op: 'remove', path };
        else if (kind === 2) op = { op: 'replace', path: path === '' ? '/a' : path, value: values() };
        else if (kind === 3 && container) op = { op: 'copy', from: paths[rand(paths.length)], path: `${path}/${Array.isArray(container) ? '0' : keys[rand(keys.length)]}` };
        else if (container) op = { op: 'move', from: paths[rand(paths.length)], path: `${path}/${Array.isArray(container) ? '0' : keys[rand(keys.length)]}` };
        else continue;
        const from = op.op === 'copy' ? JSON.stringify(valueAt(doc, op.from!)) ?? '' : '';
        try {
          doc = applyJsonPatch(doc, [op], { maxBytes: Infinity });
        } catch (e) {
          if (e instanceof PatchError && !(e instanceof PatchLimitError)) continue;
          throw e;
        }
        ops.push(op);
        copied += from.length;
        largest = Math.max(largest, JSON.stringify(doc).length);
      }
      const target = { a: [1, 2], b: { c: 'x' } };
      assert.deepEqual(applyJsonPatch(target, ops, { maxBytes: Math.max(largest, copied) }), doc, JSON.stringify(ops));
      if (largest > start && copied < largest) assertLimit(() => applyJsonPatch(target, ops, { maxBytes: largest - 1 }), /larger than/);
    }
  });
});

/** Every pointer into `doc` (the root too). */
function allPaths(doc: unknown, prefix = ''): string[] {
  const out = [prefix];
  if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) out.push(...allPaths(v, `${prefix}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`));
  }
  return out;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const seg of parsePointer(pointer)) node = node && typeof node === 'object' && Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
  return node;
}

function containerAt(doc: unknown, pointer: string): object | undefined {
  const node = valueAt(doc, pointer);
  return node && typeof node === 'object' ? node : undefined;
}

describe('merge patch bounds', () => {
  const x = (n: number) => 'x'.repeat(n);
  const cases: Array<{ name: string; apply: (target: unknown, patch: unknown, limits: { maxBytes: number }) => unknown; patch: unknown }> = [
    { name: 'a JSON merge patch', apply: applyMergePatch, patch: { b: x(600) } },
    { name: 'a strategic merge patch', apply: applyStrategicMergePatch, patch: { b: x(600) } },
    { name: 'a strategic merge patch merging a list by key', apply: applyStrategicMergePatch, patch: { l: [{ name: 'n', v: x(600) }] } },
  ];
  for (const c of cases) {
    it(`${c.name}: a result larger than maxBytes is refused, one within it passes`, () => {
      const target = { a: x(500), l: [{ name: 'n' }] };
      assertLimit(() => c.apply(target, c.patch, { maxBytes: 1000 }), 'the patched object would be larger than 1000 bytes, the request body limit');
      assert.ok(c.apply(target, c.patch, { maxBytes: 2000 }));
    });
  }

  it('checkPatchedSize lets an object already past the limit shrink or stay, not grow', () => {
    const big = { a: x(2000) };
    checkPatchedSize(big, { a: x(1999) }, { maxBytes: 1000 });
    checkPatchedSize(big, { a: x(2000) }, { maxBytes: 1000 });
    assertLimit(() => checkPatchedSize(big, { a: x(2001) }, { maxBytes: 1000 }), /larger than 1000 bytes/);
  });
});

describe('strategic merge patch over long lists', () => {
  it('merges by key with duplicates, deletes and additions as the per-item search did', () => {
    const base = { containers: [{ name: 'a', v: 1 }, { name: 'b', v: 1 }, { name: 'a', v: 9 }] };
    const patch = { containers: [{ name: 'a', v: 2 }, { name: 'b', $patch: 'delete' }, { name: 'b', v: 3 }, { name: 'c', v: 4 }, { name: 'c', w: 5 }] };
    assert.deepEqual(applyStrategicMergePatch(base, patch), { containers: [{ name: 'a', v: 2 }, { name: 'a', v: 9 }, { name: 'b', v: 3 }, { name: 'c', v: 4, w: 5 }] });
  });

  it('sets and deletes from primitive lists by value', () => {
    const base = { metadata: { finalizers: ['a', 'b', 1] }, spec: { args: ['x', 'y', 'x', { o: 1 }] } };
    const patch = { metadata: { finalizers: ['b', 'c', '1'] }, spec: { '$deleteFromPrimitiveList/args': ['x', { o: 1 }] } };
    assert.deepEqual(applyStrategicMergePatch(base, patch), { metadata: { finalizers: ['a', 'b', 1, 'c', '1'] }, spec: { args: ['y'] } });
  });
});
