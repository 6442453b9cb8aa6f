// client-node writes built-in kinds through its generated models, whose property names differ from
// the wire's where the wire's are not JavaScript identifiers (`x-kubernetes-preserve-unknown-fields`
// is `x_kubernetes_preserve_unknown_fields`, `default` is `_default`, `$ref` is `_ref`, …): an
// object given in its wire form loses those fields on the way out (a CRD's schema loses every
// x-kubernetes-* marker, default and enum). Reading the wire form into the model first keeps them.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { getSerializationType } from '@kubernetes/client-node/dist/util.js';

/** `obj` (wire form: what YAML and the API say) as client-node's model of its kind, ready to be written. */
export function toClientModel<T extends { apiVersion?: unknown; kind?: unknown }>(obj: T): T {
  const type = getSerializationType(String(obj.apiVersion), String(obj.kind));
  return ObjectSerializer.deserialize(obj, type) as T;
}
