// `kiln serve --git-resolver-config KEY=VALUE`: the git resolver's server-wide settings under the
// names of Tekton's `git-resolver-config` ConfigMap.
import { CliError, EXIT } from './exit.ts';

/** The keys accepted, as Tekton's ConfigMap names them. */
export const GIT_RESOLVER_CONFIG_KEYS = [
  'default-revision', 'scm-type', 'server-url', 'api-token-secret-name', 'api-token-secret-key', 'api-token-secret-namespace', 'default-org',
] as const;

/** `KEY=VALUE` values (repeatable) → settings by key; an unknown key or a value without `=` is invalid input. */
export function gitResolverConfig(values: readonly string[]): Record<string, string> | undefined {
  if (!values.length) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    const key = i > 0 ? v.slice(0, i).trim() : '';
    if (!(GIT_RESOLVER_CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new CliError(EXIT.invalid, `--git-resolver-config ${v}: expected KEY=VALUE with KEY one of ${GIT_RESOLVER_CONFIG_KEYS.join(', ')}`);
    }
    out[key] = v.slice(i + 1).trim();
  }
  return out;
}
