// The outbox kind served by the API: `kiln serve` stores this CustomResourceDefinition at start,
// so `kiln get cdevents` and `kubectl get cdevents` list the outbox with each entry's delivery
// state (the API server serves the kinds the stored CRDs define, server/crds.ts).
import type { KObject } from '../../api/meta.ts';
import type { Store } from '../../store/store.ts';
import { ensureCrd } from '../crds.ts';
import { OUTBOX } from './outbox.ts';

/** The CRD of the outbox kind (kiln.dev/v1 CDEvent): free-form objects, status subresource, columns. */
export const OUTBOX_CRD: KObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${OUTBOX.plural}.${OUTBOX.group}`, labels: { 'app.kubernetes.io/managed-by': 'kiln' } },
  spec: {
    group: OUTBOX.group,
    scope: 'Namespaced',
    names: { kind: OUTBOX.kind, plural: OUTBOX.plural, singular: 'cdevent', shortNames: ['cde'], listKind: 'CDEventList' },
    versions: [{
      name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      subresources: { status: {} },
      additionalPrinterColumns: [
        { name: 'Type', type: 'string', jsonPath: '.spec.event.context.type' },
        { name: 'Subject', type: 'string', jsonPath: '.spec.event.subject.id' },
        { name: 'From', type: 'string', jsonPath: '.spec.run' },
        { name: 'Delivery', type: 'string', jsonPath: '.status.sinks[*].state', description: 'the first sink\'s state (empty: pending)' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    }],
  },
};

/** Stores OUTBOX_CRD, or updates its spec when it differs (an older kiln's). */
export function ensureOutboxCrd(store: Store): Promise<void> {
  return ensureCrd(store, OUTBOX_CRD);
}
