import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpError } from './errors.ts';
import { message, protoFields, str, unwrapKubernetesProtobuf } from './protobuf.ts';

/** What kubectl 1.32 sent for `kubectl auth can-i create pipelineruns.tekton.dev -n team` (captured). */
const KUBECTL_SSAR = Buffer.from(
  '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a656374416363657373526576696577124f0a100a0012001a0022002a0032003800420012310a2f0a047465616d12066372656174651a0022002a17706970656c696e6572756e732e74656b746f6e2e64657632003a001a08080012001a0020001a002200',
  'hex',
);

describe('protoFields', () => {
  it('reads varints, strings and embedded messages; skips fixed-width fields', () => {
    // 1: varint 300, 2: "hi", 3: fixed64, 4: fixed32, 2: "yo" (repeated: last wins for str)
    const buf = Buffer.from([0x08, 0xac, 0x02, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 1, 2, 3, 4, 0x12, 0x02, 0x79, 0x6f]);
    const f = protoFields(buf);
    assert.deepEqual(f.get(1), [300n]);
    assert.equal(str(f, 2), 'yo');
    assert.equal(f.get(2)?.length, 2);
    assert.equal(f.has(3), false);
    assert.equal(str(f, 9), '');
    assert.equal(message(f, 9), undefined);
  });

  const malformed = [
    { name: 'a varint cut short', bytes: [0x08, 0x80], message: 'malformed protobuf: a varint runs past the end of the body' },
    { name: 'a string longer than the body', bytes: [0x12, 0x05, 0x61], message: 'malformed protobuf: a field runs past the end of the body' },
    { name: 'a huge length', bytes: [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f], message: 'malformed protobuf: a field runs past the end of the body' },
    { name: 'a varint of 11 bytes', bytes: [0x08, ...Array(10).fill(0xff), 0x01], message: 'malformed protobuf: a varint longer than 10 bytes' },
    { name: 'a group wire type', bytes: [0x0b], message: 'malformed protobuf: field 1 has wire type 3' },
  ];
  for (const c of malformed) {
    it(`400 for ${c.name}`, () => {
      assert.throws(() => protoFields(Buffer.from(c.bytes)), (e: unknown) => e instanceof HttpError && e.code === 400 && e.message === c.message);
    });
  }
});

describe('unwrapKubernetesProtobuf', () => {
  it('reads kubectl\'s SelfSubjectAccessReview', () => {
    const { apiVersion, kind, raw } = unwrapKubernetesProtobuf(KUBECTL_SSAR);
    assert.deepEqual([apiVersion, kind], ['authorization.k8s.io/v1', 'SelfSubjectAccessReview']);
    const attrs = message(message(raw, 2)!, 1)!;
    assert.deepEqual([str(attrs, 1), str(attrs, 2), str(attrs, 3), str(attrs, 5)], ['team', 'create', '', 'pipelineruns.tekton.dev']);
  });

  it('400 without the k8s\\0 prefix', () => {
    assert.throws(() => unwrapKubernetesProtobuf(Buffer.from('{"kind":"x"}')), (e: unknown) => e instanceof HttpError && e.code === 400);
  });
});
