// The core interceptors by the names ClusterInterceptors use (`ref: {name: github}`).
import type { Interceptor } from '../types.ts';
import { githubInterceptor } from './github.ts';
import { gitlabInterceptor } from './gitlab.ts';
import { bitbucketInterceptor } from './bitbucket.ts';
import { celInterceptor } from './cel.ts';
import { cdeventsInterceptor } from '../cdevents.ts';

export { githubInterceptor, gitlabInterceptor, bitbucketInterceptor, celInterceptor };

/** `github`, `gitlab`, `bitbucket`, `cel`, and kiln's `cdevents` → their Interceptor. */
export const CORE_INTERCEPTORS: Readonly<Record<string, Interceptor>> = Object.freeze({
  github: githubInterceptor,
  gitlab: gitlabInterceptor,
  bitbucket: bitbucketInterceptor,
  cel: celInterceptor,
  cdevents: cdeventsInterceptor,
});

/** The core interceptor named `name` (Tekton lowercases the route), or undefined. */
export function coreInterceptor(name: string): Interceptor | undefined {
  const key = name.toLowerCase();
  return Object.hasOwn(CORE_INTERCEPTORS, key) ? CORE_INTERCEPTORS[key] : undefined;
}
