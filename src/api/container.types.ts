// Steps, step templates and sidecars (container_types.go).
import type { Param, StepResult } from './param.types.ts';
import type { VolumeMount, WorkspaceUsage } from './workspace.types.ts';
import type { WhenExpression } from './when.types.ts';

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string; apiVersion?: string };
    resourceFieldRef?: unknown;
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface ExecAction { command?: string[] }
export interface Probe {
  exec?: ExecAction;
  httpGet?: unknown;
  tcpSocket?: unknown;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface Ref { name?: string; resolver?: string; params?: Param[] }

/** Fields common to steps, step templates and sidecars. */
export interface ContainerFields {
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envFrom?: EnvFromSource[];
  env?: EnvVar[];
  computeResources?: unknown;
  volumeMounts?: VolumeMount[];
  volumeDevices?: unknown[];
  imagePullPolicy?: string;
  securityContext?: { runAsUser?: number; runAsGroup?: number; privileged?: boolean; [k: string]: unknown };
}

export interface Step extends ContainerFields {
  name?: string;
  displayName?: string;
  script?: string;
  timeout?: string;
  workspaces?: WorkspaceUsage[];
  onError?: 'continue' | 'stopAndFail' | string;
  stdoutConfig?: { path?: string };
  stderrConfig?: { path?: string };
  ref?: Ref;
  params?: Param[];
  results?: StepResult[];
  when?: WhenExpression[];
}

export type StepTemplate = ContainerFields;

export interface Sidecar extends ContainerFields {
  name?: string;
  script?: string;
  ports?: unknown[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: unknown;
  terminationMessagePath?: string;
  terminationMessagePolicy?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  workspaces?: WorkspaceUsage[];
  restartPolicy?: string;
}
