// The controller's identity and rights: a ServiceAccount, one ClusterRole with exactly the verbs
// on the resources kiln's controllers and API use (each rule says who needs it), a namespaced Role
// for the replicas' Leases, and — only when asked — the rights GitOps needs to deploy into this
// cluster. No wildcard anywhere else: what kiln may do is read from this file. Pure.
import type { KObject } from '../api/meta.ts';
import { commonLabels, type InstallOptions } from './options.ts';

/** The name of the ServiceAccount, ClusterRole and bindings. */
export const CONTROLLER_NAME = 'kiln-controller';
/** The ClusterRole that lets GitOps deploy any kind into this cluster (only with gitopsInCluster). */
export const DEPLOYER_NAME = 'kiln-gitops-deployer';

export interface PolicyRule { apiGroups: string[]; resources: string[]; verbs: string[] }

const READ = ['get', 'list', 'watch'];
const rule = (apiGroups: string[], resources: string[], verbs: string[]): PolicyRule => ({ apiGroups, resources, verbs });

/** The rules of the controller's ClusterRole (cluster-wide: runs live in every namespace). */
export function controllerRules(o: InstallOptions): PolicyRule[] {
  const rules = [
    // Tasks, Pipelines, StepActions and Triggers' kinds: the controllers and the sink read them;
    // users write them with their own rights (kubectl, GitOps), never through kiln's identity
    rule(['tekton.dev'], ['tasks', 'pipelines', 'stepactions'], READ),
    rule(['triggers.tekton.dev'], ['eventlisteners', 'triggers', 'triggerbindings', 'clustertriggerbindings', 'triggertemplates', 'interceptors', 'clusterinterceptors'], READ),
    // runs: the PipelineRun controller creates and cancels TaskRuns, the webhook sink and the
    // dashboard create runs, retention deletes finished ones
    rule(['tekton.dev'], ['taskruns', 'pipelineruns'], [...READ, 'create', 'update', 'patch', 'delete']),
    // status is written only by the controllers (EventListeners: their address and readiness)
    rule(['tekton.dev'], ['taskruns/status', 'pipelineruns/status'], ['get', 'update', 'patch']),
    rule(['triggers.tekton.dev'], ['eventlisteners/status'], ['get', 'update', 'patch']),
    // the CDEvents outbox: recorded, then marked delivered
    rule(['kiln.dev'], ['cdevents'], [...READ, 'create', 'update', 'patch']),
    rule(['kiln.dev'], ['cdevents/status'], ['get', 'update', 'patch']),
    // each remote resolution of a run, recorded as Tekton's ResolutionRequest (deleted with the run)
    rule(['resolution.tekton.dev'], ['resolutionrequests'], [...READ, 'create', 'update', 'patch']),
    rule(['resolution.tekton.dev'], ['resolutionrequests/status'], ['get', 'update', 'patch']),
    // the kubernetes executor: one Pod per TaskRun attempt, deleted on cancel and timeout; logs copied while it runs;
    // its annotations carry the answers to steps that wait for beforeStep (step results, step when)
    rule([''], ['pods'], [...READ, 'create', 'patch', 'delete']),
    rule([''], ['pods/log'], ['get']),
    // workspaces' volumeClaimTemplates become claims owned by their run
    rule([''], ['persistentvolumeclaims'], [...READ, 'create', 'delete']),
    // read only: credentials (git, registries, webhook secrets), config (kiln-events, resolvers),
    // service accounts' attached secrets, namespaces (EventListener namespaceSelector, cluster resolver)
    rule([''], ['secrets', 'configmaps', 'serviceaccounts', 'namespaces'], READ),
    // the kubernetes executor's one Secret per attempt with credentials (creds-init files), deleted with its Pod
    rule([''], ['secrets'], ['create', 'delete']),
    // Kubernetes Events about runs (`kubectl describe`); retention removes a deleted run's
    rule([''], ['events'], [...READ, 'create', 'update', 'patch', 'delete']),
    // kiln's kinds are served from these CRDs; kiln install writes them, the controller only reads
    rule(['apiextensions.k8s.io'], ['customresourcedefinitions'], READ),
  ];
  if (o.gitops) {
    // Applications have no status subresource (as in Argo CD): status and finalizers are updates;
    // the `default` AppProject is created in a namespace that has Applications
    rules.push(rule(['argoproj.io'], ['applications'], [...READ, 'update', 'patch']));
    rules.push(rule(['argoproj.io'], ['appprojects'], [...READ, 'create']));
  }
  return rules;
}

/** The rules of the Role in kiln's namespace: replicas' membership and leader Leases (never other namespaces'). */
export const LEASE_RULES: PolicyRule[] = [rule(['coordination.k8s.io'], ['leases'], [...READ, 'create', 'update', 'patch', 'delete'])];

/**
 * GitOps into this cluster (the in-cluster destination) applies whatever kinds the Git repository
 * holds, as Argo CD's application controller does: this cannot be narrowed without knowing the
 * repositories, so it is a separate ClusterRole, installed only when asked for.
 */
export const DEPLOYER_RULES: PolicyRule[] = [rule(['*'], ['*'], ['*'])];

function labelled(kind: string, apiVersion: string, name: string, namespace?: string): KObject {
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), labels: commonLabels() } };
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', roleKind: 'ClusterRole' | 'Role', name: string, o: InstallOptions): KObject {
  return {
    ...labelled(kind, 'rbac.authorization.k8s.io/v1', name, kind === 'RoleBinding' ? o.namespace : undefined),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: CONTROLLER_NAME, namespace: o.namespace }],
  };
}

/** ServiceAccount, ClusterRole(s), Role and their bindings, in the order they are applied. */
export function rbac(o: InstallOptions): KObject[] {
  const out: KObject[] = [
    labelled('ServiceAccount', 'v1', CONTROLLER_NAME, o.namespace),
    { ...labelled('ClusterRole', 'rbac.authorization.k8s.io/v1', CONTROLLER_NAME), rules: controllerRules(o) },
    binding('ClusterRoleBinding', 'ClusterRole', CONTROLLER_NAME, o),
    { ...labelled('Role', 'rbac.authorization.k8s.io/v1', CONTROLLER_NAME, o.namespace), rules: LEASE_RULES },
    binding('RoleBinding', 'Role', CONTROLLER_NAME, o),
  ];
  if (o.gitopsInCluster) {
    out.push({ ...labelled('ClusterRole', 'rbac.authorization.k8s.io/v1', DEPLOYER_NAME), rules: DEPLOYER_RULES });
    out.push(binding('ClusterRoleBinding', 'ClusterRole', DEPLOYER_NAME, o));
  }
  return out;
}
