// The GitLab interceptor (Tekton pkg/interceptors/gitlab/gitlab.go): eventTypes against
// X-Gitlab-Event, then X-Gitlab-Token compared in constant time with the secret (no HMAC).
import { CODES, rejected, type Interceptor } from '../types.ts';
import { constantTimeEqual } from './signature.ts';
import { canonicalHeaders, headerGet } from './header.ts';
import { eventTypeRejection, getSecret, guarded, readEventTypes, readSecretRef } from './params.ts';

/** Params: `secretRef`, `eventTypes` (values like `Push Hook`, `Merge Request Hook`). */
export const gitlabInterceptor: Interceptor = function gitlab(req, deps) {
  return guarded(async () => {
    const p = req.interceptor_params ?? {};
    const secretRef = readSecretRef(p.secretRef, 'InterceptorParams.secretRef');
    const eventTypes = readEventTypes(p, 'InterceptorParams');
    const headers = canonicalHeaders(req.header ?? {});
    const notAllowed = eventTypeRejection(eventTypes, headerGet(headers, 'X-Gitlab-Event'));
    if (notAllowed) return notAllowed;
    if (secretRef) {
      if (secretRef.secretKey === '') return rejected(CODES.FailedPrecondition, 'gitlab interceptor secretRef.secretKey is empty');
      const token = headerGet(headers, 'X-Gitlab-Token');
      if (token === '') return rejected(CODES.InvalidArgument, 'no X-Gitlab-Token header set');
      if (!req.context) return rejected(CODES.InvalidArgument, 'no request context passed');
      const secret = await getSecret(req, deps, secretRef);
      if ('error' in secret) return rejected(CODES.FailedPrecondition, `error getting secret: ${secret.error}`);
      if (!constantTimeEqual(token, secret.value)) return rejected(CODES.InvalidArgument, 'Invalid X-GitLab-Token');
    }
    return { continue: true };
  });
};
