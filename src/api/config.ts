// Tekton's `config-defaults` values kiln applies (config/config-defaults.yaml).

/** Defaults a caller may override (e.g. from a config file); the values are Tekton's. */
export interface RunDefaults {
  /** `default-timeout-minutes`: TaskRun `timeout` and PipelineRun `timeouts.pipeline`; default `60m` */
  timeout: string;
  /** `default-service-account`; default `default` */
  serviceAccountName: string;
  /** `default-max-matrix-combinations-count`; default 256 */
  maxMatrixCombinations: number;
}

export const CONFIG_DEFAULTS: Readonly<RunDefaults> = {
  timeout: '60m',
  serviceAccountName: 'default',
  maxMatrixCombinations: 256,
};
