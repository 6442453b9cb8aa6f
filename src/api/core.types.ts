// core/v1 objects a file may carry alongside Tekton resources.
import type { KObject } from './meta.ts';

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface Secret extends KObject {
  type?: string;
  /** base64-encoded values */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface PersistentVolumeClaim extends KObject {
  spec?: { accessModes?: string[]; resources?: unknown; storageClassName?: string; volumeMode?: string };
}
