// The openAPIV3Schema of Argo CD's Application and AppProject as kiln serves them: the fields kiln reads are
// typed (so a wrong type is a 422 naming its field path, as on a cluster with Argo CD's CRDs); blocks kiln
// passes through (helm, kustomize, plugin, roles, sync windows, …) keep unknown fields. As in Argo CD,
// `spec.destination` is required; unlike it, `spec.project` is not (kiln takes `default` when absent).
const str = { type: 'string' };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const strings = { type: 'array', items: str };
const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const stringMap = { type: 'object', additionalProperties: str };

const source = {
  type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['repoURL'],
  properties: { repoURL: str, path: str, targetRevision: str, chart: str, ref: str, name: str, directory: open, helm: open, kustomize: open, plugin: open },
};

const groupKind = { type: 'object', required: ['group', 'kind'], properties: { group: str, kind: str } };

export const APPLICATION_SCHEMA = {
  type: 'object', required: ['metadata', 'spec'],
  properties: {
    spec: {
      type: 'object', 'x-kubernetes-preserve-unknown-fields': true, required: ['destination'],
      properties: {
        project: str,
        source,
        sources: { type: 'array', items: source },
        destination: { type: 'object', properties: { server: str, name: str, namespace: str } },
        syncPolicy: {
          type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
          properties: {
            automated: { type: 'object', properties: { prune: bool, selfHeal: bool, allowEmpty: bool, enabled: bool } },
            syncOptions: strings,
            retry: { type: 'object', properties: { limit: int, backoff: { type: 'object', properties: { duration: str, factor: int, maxDuration: str } } } },
            managedNamespaceMetadata: { type: 'object', properties: { labels: stringMap, annotations: stringMap } },
          },
        },
        ignoreDifferences: {
          type: 'array',
          items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { group: str, kind: str, name: str, namespace: str, jsonPointers: strings, jqPathExpressions: strings, managedFieldsManagers: strings } },
        },
        revisionHistoryLimit: int,
        info: { type: 'array', items: { type: 'object', properties: { name: str, value: str } } },
      },
    },
    status: open,
    operation: open,
  },
};

export const APPPROJECT_SCHEMA = {
  type: 'object', required: ['metadata', 'spec'],
  properties: {
    spec: {
      type: 'object', 'x-kubernetes-preserve-unknown-fields': true,
      properties: {
        description: str,
        sourceRepos: strings,
        sourceNamespaces: strings,
        destinations: { type: 'array', items: { type: 'object', properties: { server: str, name: str, namespace: str } } },
        clusterResourceWhitelist: { type: 'array', items: groupKind },
        clusterResourceBlacklist: { type: 'array', items: groupKind },
        namespaceResourceWhitelist: { type: 'array', items: groupKind },
        namespaceResourceBlacklist: { type: 'array', items: groupKind },
      },
    },
    status: open,
  },
};
