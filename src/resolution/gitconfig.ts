// The git resolver's settings as Tekton's `git-resolver-config` ConfigMap holds them: unprefixed
// keys are the `default` configuration, `<id>.<key>` another one, chosen by a request's `configKey`
// param (default `default`).
import { parseDuration } from '../api/duration.ts';
import { ResolverError } from './framework.ts';
import type { GitApiConfig } from './gitapi.ts';

/** One configuration: the API mode's settings, the clone mode's defaults and the fetch timeout. */
export interface GitConfig extends GitApiConfig {
  /** `default-url`: the clone mode's url when a request names none */
  defaultUrl?: string;
  /** `fetch-timeout` in ms: the most one resolution may take (the service's 60 s stay the maximum) */
  fetchTimeoutMs?: number;
}

/** The keys of one configuration, as Tekton's ConfigMap names them. */
export const GIT_CONFIG_KEYS = [
  'fetch-timeout', 'default-url', 'default-revision', 'scm-type', 'server-url', 'api-token-secret-name', 'api-token-secret-key', 'api-token-secret-namespace', 'default-org',
] as const;

/** The configuration id of unprefixed keys, and of requests without `configKey`. */
export const DEFAULT_CONFIG_KEY = 'default';

/** Why `key` (`KEY` or `ID.KEY`) with `value` is not a setting, or undefined when it is. */
export function gitConfigProblem(key: string, value: string): string | undefined {
  const parts = key.split('.');
  if (parts.length > 2 || parts.some((p) => !p)) return `key "${key}": expected KEY or CONFIGKEY.KEY (a configKey holds no ".")`;
  const name = parts[parts.length - 1];
  if (!(GIT_CONFIG_KEYS as readonly string[]).includes(name)) return `key "${key}": expected one of ${GIT_CONFIG_KEYS.join(', ')} (optionally prefixed by CONFIGKEY.)`;
  if (name === 'fetch-timeout' && value !== '' && !(parseDuration(value)! > 0)) return `key "${key}": "${value}" is not a positive duration (e.g. 30s, 1m)`;
  return undefined;
}

/** Configurations by id from the ConfigMap's keys (checked with gitConfigProblem first; wrong keys are skipped). */
export function gitConfigsOf(keys: Readonly<Record<string, string>> = {}): Record<string, GitConfig> {
  const raw: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(keys)) {
    if (gitConfigProblem(key, value)) continue;
    const [id, name] = key.includes('.') ? key.split('.') : [DEFAULT_CONFIG_KEY, key];
    (raw[id] ??= {})[name] = value;
  }
  const out: Record<string, GitConfig> = {};
  for (const [id, k] of Object.entries(raw)) {
    const v = (name: string) => k[name] || undefined;
    const secret = v('api-token-secret-name');
    const timeout = v('fetch-timeout');
    out[id] = {
      scmType: v('scm-type'),
      serverURL: v('server-url'),
      tokenSecret: secret ? { name: secret, key: v('api-token-secret-key'), namespace: v('api-token-secret-namespace') } : undefined,
      defaultOrg: v('default-org'),
      defaultRevision: v('default-revision'),
      defaultUrl: v('default-url'),
      fetchTimeoutMs: timeout ? parseDuration(timeout) : undefined,
    };
  }
  return out;
}

/** The configuration a request's `configKey` names (`default` when absent: empty when none is set). */
export function configFor(configs: Readonly<Record<string, GitConfig>>, params: ReadonlyMap<string, string>): GitConfig {
  const id = params.get('configKey') || DEFAULT_CONFIG_KEY;
  const found = Object.hasOwn(configs, id) ? configs[id] : undefined;
  if (found) return found;
  if (id === DEFAULT_CONFIG_KEY) return {};
  throw new ResolverError(`no git resolver configuration found for configKey "${id}"`);
}
