// `kiln serve --git-resolver-config KEY=VALUE`: the git resolver's settings under the names of
// Tekton's `git-resolver-config` ConfigMap; `CONFIGKEY.KEY` sets the configuration a request's
// `configKey` param selects (unprefixed keys are the `default` one).
import { parseDuration } from '../api/duration.ts';
import { CliError, EXIT } from './exit.ts';

/** The keys accepted, as Tekton's ConfigMap names them. */
export const GIT_RESOLVER_CONFIG_KEYS = [
  'fetch-timeout', 'default-url', 'default-revision', 'scm-type', 'server-url', 'api-token-secret-name', 'api-token-secret-key', 'api-token-secret-namespace', 'default-org',
] as const;

/** Why `key` / `value` is not a setting, or undefined. */
function problem(key: string, value: string): string | undefined {
  const parts = key.split('.');
  const name = parts[parts.length - 1];
  if (parts.length > 2 || parts.some((p) => !p) || !(GIT_RESOLVER_CONFIG_KEYS as readonly string[]).includes(name)) {
    return `expected KEY=VALUE with KEY one of ${GIT_RESOLVER_CONFIG_KEYS.join(', ')}, optionally prefixed by CONFIGKEY. (no "." in CONFIGKEY)`;
  }
  if (name === 'fetch-timeout' && !(parseDuration(value)! > 0)) return `"${value}" is not a positive duration (e.g. 30s, 1m)`;
  return undefined;
}

/** `KEY=VALUE` values (repeatable) → settings by key; an unknown key or a value without `=` is invalid input. */
export function gitResolverConfig(values: readonly string[]): Record<string, string> | undefined {
  if (!values.length) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    const key = i > 0 ? v.slice(0, i).trim() : '';
    const value = v.slice(i + 1).trim();
    const why = key ? problem(key, value) : problem('', '');
    if (why) throw new CliError(EXIT.invalid, `--git-resolver-config ${v}: ${why}`);
    out[key] = value;
  }
  return out;
}
