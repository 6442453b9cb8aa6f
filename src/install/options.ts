// What `kiln manifests` / `kiln install` are built from: the options, their defaults, and their
// validation (every problem named by its flag). Pure.
import type { FieldError } from '../api/errors.ts';

/** kiln's version, which names the default image. */
export const KILN_VERSION = '0.1.0';

/** How the API/dashboard and webhook Services are exposed. */
export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface InstallOptions {
  /** where kiln's controller runs (default `kiln`) */
  namespace: string;
  /** the controller's image (default `kiln:<version>`: no image is published yet, build and push your own) */
  image: string;
  /** controller replicas (default 1); more than one share the work through Leases and need a ReadWriteMany data volume */
  replicas: number;
  /** the API/dashboard Service's type (default ClusterIP) */
  serviceType: ServiceType;
  /** the webhook sink Service's type (default ClusterIP; LoadBalancer to receive webhooks from outside) */
  webhookServiceType: ServiceType;
  /** the data volume's size: logs, the API's TLS credentials and tokens (default 10Gi) */
  dataSize: string;
  /** the data volume's storage class (default: the cluster's default class) */
  storageClass?: string;
  /** Argo CD's Application and AppProject CRDs and the rights to read them (default true; false where Argo CD runs) */
  gitops: boolean;
  /** rights to deploy any kind into this cluster (Applications with the in-cluster destination; default false) */
  gitopsInCluster: boolean;
}

export const DEFAULT_OPTIONS: InstallOptions = {
  namespace: 'kiln',
  image: `kiln:${KILN_VERSION}`,
  replicas: 1,
  serviceType: 'ClusterIP',
  webhookServiceType: 'ClusterIP',
  dataSize: '10Gi',
  gitops: true,
  gitopsInCluster: false,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
// registry[:port]/path[:tag][@digest], as image references are written
const IMAGE = /^[a-zA-Z0-9][a-zA-Z0-9._\-/:]*(@sha256:[a-f0-9]{64})?$/;

/** `given` over the defaults, checked: every problem with the flag it comes from, or the options. */
export function compileInstallOptions(given: Partial<InstallOptions> = {}): { options: InstallOptions } | { errors: FieldError[] } {
  const o: InstallOptions = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(given)) if (v !== undefined) (o as unknown as Record<string, unknown>)[k] = v;
  const errors: FieldError[] = [];
  const bad = (path: string, message: string) => errors.push({ path, message, severity: 'error' });
  if (!DNS_LABEL.test(o.namespace) || o.namespace.length > 63) {
    bad('--namespace', `Invalid value: ${JSON.stringify(o.namespace)}: a lowercase RFC 1123 label (letters, digits, '-'; at most 63)`);
  }
  if (!IMAGE.test(o.image)) bad('--image', `Invalid value: ${JSON.stringify(o.image)}: an image reference such as registry.example.com/kiln:${KILN_VERSION}`);
  if (!Number.isInteger(o.replicas) || o.replicas < 1) bad('--replicas', `Invalid value: ${JSON.stringify(o.replicas)}: a whole number ≥ 1`);
  for (const [flag, v] of [['--service-type', o.serviceType], ['--webhook-service-type', o.webhookServiceType]] as const) {
    if (!(SERVICE_TYPES as readonly string[]).includes(v)) bad(flag, `Unsupported value: ${JSON.stringify(v)}: supported values: ${SERVICE_TYPES.join(', ')}`);
  }
  if (!QUANTITY.test(o.dataSize)) bad('--data-size', `Invalid value: ${JSON.stringify(o.dataSize)}: a quantity such as 10Gi`);
  if (o.storageClass !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(o.storageClass)) {
    bad('--storage-class', `Invalid value: ${JSON.stringify(o.storageClass)}: a storage class name`);
  }
  if (o.gitopsInCluster && !o.gitops) bad('--gitops-in-cluster', 'Invalid value: needs GitOps (drop --no-gitops)');
  return errors.length ? { errors } : { options: o };
}

/** The labels every installed object carries: what `kubectl get -l` and uninstall find them by. */
export function commonLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': 'kiln', 'app.kubernetes.io/part-of': 'kiln', 'app.kubernetes.io/version': KILN_VERSION, 'app.kubernetes.io/managed-by': 'kiln-install' };
}

/** The label selector of the controller's Pods (stable across versions: a Deployment's selector cannot change). */
export const CONTROLLER_SELECTOR: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'kiln', 'app.kubernetes.io/component': 'controller' };
