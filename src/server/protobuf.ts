// The little of Kubernetes' protobuf encoding kiln reads: kubectl's typed clients (e.g. `kubectl
// auth can-i`) send built-in kinds as `application/vnd.kubernetes.protobuf` — the bytes `k8s\0`,
// then a runtime.Unknown {typeMeta = 1, raw = 2} whose raw is the object's message. Pure.
import { badRequest } from './errors.ts';

/** Kubernetes' protobuf media type. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export type Fields = Map<number, Array<bigint | Buffer>>;

/** The fields of one message: number → values (varints as bigints, length-delimited as Buffers); 400 when malformed. */
export function protoFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let at = 0;
  function varint(): bigint {
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= buf.length) throw badRequest('malformed protobuf: a varint runs past the end of the body');
      const b = buf[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    throw badRequest('malformed protobuf: a varint longer than 10 bytes');
  }
  function skip(n: number): void {
    if (at + n > buf.length) throw badRequest('malformed protobuf: a field runs past the end of the body');
    at += n;
  }
  while (at < buf.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Buffer | undefined;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = Number(varint());
      const start = at;
      skip(len);
      value = buf.subarray(start, at);
    } else if (wire === 1) skip(8);
    else if (wire === 5) skip(4);
    else throw badRequest(`malformed protobuf: field ${number} has wire type ${wire}`);
    if (value === undefined) continue;
    const list = fields.get(number);
    if (list) list.push(value);
    else fields.set(number, [value]);
  }
  return fields;
}

/** The last string value of field `n` ('' when absent). */
export function str(f: Fields, n: number): string {
  const v = f.get(n)?.at(-1);
  return Buffer.isBuffer(v) ? v.toString('utf8') : '';
}

/** The last embedded message of field `n`, or undefined. */
export function message(f: Fields, n: number): Fields | undefined {
  const v = f.get(n)?.at(-1);
  return Buffer.isBuffer(v) ? protoFields(v) : undefined;
}

/** The object message inside a Kubernetes protobuf body, with its apiVersion and kind; 400 when not one. */
export function unwrapKubernetesProtobuf(body: Buffer): { apiVersion: string; kind: string; raw: Fields } {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw badRequest('a protobuf body must start with the bytes "k8s\\0"');
  const unknown = protoFields(body.subarray(MAGIC.length));
  const typeMeta = message(unknown, 1);
  return { apiVersion: typeMeta ? str(typeMeta, 1) : '', kind: typeMeta ? str(typeMeta, 2) : '', raw: message(unknown, 2) ?? new Map() };
}
