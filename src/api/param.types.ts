// Params and results (tekton.dev/v1 param_types.go, result_types.go).

export type ParamType = 'string' | 'array' | 'object';
/** A param value: its JSON shape decides its type. */
export type ParamValue = string | string[] | Record<string, string>;

export interface PropertySpec { type?: 'string' }

export interface ParamSpec {
  name: string;
  type?: ParamType;
  description?: string;
  properties?: Record<string, PropertySpec>;
  default?: ParamValue;
  enum?: string[];
}

export interface Param { name: string; value: ParamValue }

export interface TaskResult {
  name: string;
  type?: ParamType;
  properties?: Record<string, PropertySpec>;
  description?: string;
  /** Only to fetch a StepAction step result: `$(steps.<step>.results.<r>)`. */
  value?: ParamValue;
}

export interface StepResult {
  name: string;
  type?: ParamType;
  properties?: Record<string, PropertySpec>;
  description?: string;
}

export interface ResultValue { name: string; type?: ParamType; value: ParamValue }

/** The type a param value has by its shape. */
export function typeOfValue(v: ParamValue): ParamType {
  return Array.isArray(v) ? 'array' : typeof v === 'object' && v !== null ? 'object' : 'string';
}
