// Workspaces and volumes (workspace_types.go, core/v1 Volume).

export interface WorkspaceDeclaration {
  name: string;
  description?: string;
  mountPath?: string;
  readOnly?: boolean;
  optional?: boolean;
}

export interface WorkspaceUsage { name: string; mountPath?: string }

export interface KeyToPath { key: string; path: string; mode?: number }

export interface ConfigMapSource { name: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number }
export interface SecretSource { secretName: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number }
export interface PVCSource { claimName: string; readOnly?: boolean }
export interface EmptyDirSource { medium?: string; sizeLimit?: string }
export interface ProjectedSource {
  sources?: Array<{ configMap?: ConfigMapSource & { name: string }; secret?: { name: string; items?: KeyToPath[]; optional?: boolean } }>;
  defaultMode?: number;
}

/** TaskRun/PipelineRun workspace binding: exactly one source. */
export interface WorkspaceBinding {
  name: string;
  subPath?: string;
  emptyDir?: EmptyDirSource;
  persistentVolumeClaim?: PVCSource;
  volumeClaimTemplate?: { metadata?: { name?: string }; spec?: unknown };
  configMap?: ConfigMapSource;
  secret?: SecretSource;
  projected?: ProjectedSource;
  csi?: unknown;
  /** kiln extension used by `kiln run -w name=DIR`: a host directory. */
  hostPath?: { path: string };
}

export interface Volume {
  name: string;
  emptyDir?: EmptyDirSource;
  configMap?: ConfigMapSource;
  secret?: SecretSource;
  persistentVolumeClaim?: PVCSource;
  projected?: ProjectedSource;
  hostPath?: { path: string; type?: string };
  [source: string]: unknown;
}

export interface VolumeMount { name: string; mountPath: string; subPath?: string; readOnly?: boolean }
