// kiln's namespace, its data volume, the controller Deployment and its Services. Pure.
//
// The controller is `kiln serve` with the cluster's API as its store and one Pod per TaskRun as
// its executor (`--store=kube --executor=kubernetes`: the in-cluster mode the design calls for).
// Its data volume keeps what outlives Pods: step logs copied from the cluster, the API's TLS
// credentials and tokens. One Service serves the API and dashboard; a second one is the webhook
// sink (EventListeners' /hooks/…), so that it can be exposed (LoadBalancer, Ingress) while the API
// stays inside the cluster. Both reach the same listener: `kiln serve` has one.
import type { KObject } from '../api/meta.ts';
import { CONTROLLER_NAME } from './rbac.ts';
import { commonLabels, CONTROLLER_SELECTOR, type InstallOptions } from './options.ts';

/** The port `kiln serve` listens on in its Pod (its default). */
export const SERVE_PORT = 7443;
/** Where the data volume is mounted. */
export const DATA_DIR = '/var/lib/kiln';
/** The data volume's claim. */
export const DATA_CLAIM = 'kiln-data';
/** The API/dashboard Service and the webhook sink Service. */
export const API_SERVICE = 'kiln';
export const WEBHOOK_SERVICE = 'kiln-webhooks';
/** The unprivileged user the controller runs as. */
const USER_ID = 65532;

/**
 * The arguments of `kiln serve` in the controller's container: each replica is named by its Pod
 * (`$(POD_NAME)`, expanded by the kubelet from the env below) and holds its Lease in kiln's namespace.
 */
export function serveArgs(): string[] {
  return ['serve', '--address=0.0.0.0', `--port=${SERVE_PORT}`, `--data-dir=${DATA_DIR}`, '--store=kube', '--executor=kubernetes', '--replica-id=$(POD_NAME)', '--lease-namespace=$(POD_NAMESPACE)'];
}

/** kiln's namespace: Pods in it must meet the `restricted` Pod Security Standard (the controller does). */
export function namespaceOf(o: InstallOptions): KObject {
  return {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { name: o.namespace, labels: { ...commonLabels(), 'pod-security.kubernetes.io/enforce': 'restricted' } },
  };
}

/** The data volume (shared by every replica when there are several: ReadWriteMany then). */
export function dataClaim(o: InstallOptions): KObject {
  return {
    apiVersion: 'v1', kind: 'PersistentVolumeClaim',
    metadata: { name: DATA_CLAIM, namespace: o.namespace, labels: commonLabels() },
    spec: {
      accessModes: [o.replicas > 1 ? 'ReadWriteMany' : 'ReadWriteOnce'],
      resources: { requests: { storage: o.dataSize } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
    },
  };
}

const probe = (path: string, periodSeconds: number) => ({ httpGet: { path, port: 'https', scheme: 'HTTPS' }, periodSeconds, timeoutSeconds: 5 });
const fromField = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** The controller Deployment. */
export function deployment(o: InstallOptions): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: CONTROLLER_NAME, namespace: o.namespace, labels: { ...commonLabels(), ...CONTROLLER_SELECTOR } },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { ...CONTROLLER_SELECTOR } },
      // one replica holds a ReadWriteOnce volume: the old Pod lets go of it before the new one starts
      strategy: { type: o.replicas > 1 ? 'RollingUpdate' : 'Recreate' },
      template: {
        metadata: { labels: { ...commonLabels(), ...CONTROLLER_SELECTOR } },
        spec: {
          serviceAccountName: CONTROLLER_NAME,
          securityContext: { runAsNonRoot: true, runAsUser: USER_ID, runAsGroup: USER_ID, fsGroup: USER_ID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'kiln',
            image: o.image,
            imagePullPolicy: 'IfNotPresent',
            args: serveArgs(),
            // each replica's name is its Lease's name (membership for sharding)
            env: [fromField('POD_NAME', 'metadata.name'), fromField('POD_NAMESPACE', 'metadata.namespace')],
            ports: [{ name: 'https', containerPort: SERVE_PORT, protocol: 'TCP' }],
            readinessProbe: probe('/readyz', 5),
            livenessProbe: { ...probe('/livez', 10), failureThreshold: 6 },
            resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
            securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'data', mountPath: DATA_DIR }, { name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: DATA_CLAIM } }, { name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

function service(name: string, type: string, o: InstallOptions, component: string): KObject {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name, namespace: o.namespace, labels: { ...commonLabels(), 'app.kubernetes.io/component': component } },
    spec: { type, selector: { ...CONTROLLER_SELECTOR }, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  };
}

/** The API/dashboard Service and the webhook sink Service. */
export function services(o: InstallOptions): KObject[] {
  return [service(API_SERVICE, o.serviceType, o, 'api'), service(WEBHOOK_SERVICE, o.webhookServiceType, o, 'webhooks')];
}
