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

export interface ObjectReference {
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiVersion?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** core/v1 Event: what happened to `involvedObject` (kiln records trigger processing this way). */
export interface Event extends KObject {
  involvedObject?: ObjectReference;
  reason?: string;
  message?: string;
  /** `Normal` or `Warning` */
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  action?: string;
  related?: ObjectReference;
  series?: { count?: number; lastObservedTime?: string };
}
