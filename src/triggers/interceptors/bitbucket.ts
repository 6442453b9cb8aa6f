// The Bitbucket interceptor (Tekton pkg/interceptors/bitbucket/bitbucket.go): eventTypes against
// X-Event-Key, then go-github's ValidateSignature over X-Hub-Signature (Bitbucket Server; Cloud
// sends no signature, so leave secretRef out for it).
import { CODES, rejected, type Interceptor } from '../types.ts';
import { canonicalHeaders, headerGet } from './header.ts';
import { eventTypeRejection, getSecret, guarded, readEventTypes, readSecretRef } from './params.ts';
import { validateSignature } from './signature.ts';

/** Params: `secretRef`, `eventTypes` (values like `repo:refs_changed`, `pr:opened`, `repo:push`). */
export const bitbucketInterceptor: Interceptor = function bitbucket(req, deps) {
  return guarded(async () => {
    const p = req.interceptor_params ?? {};
    const secretRef = readSecretRef(p.secretRef, 'InterceptorParams.secretRef');
    const eventTypes = readEventTypes(p, 'InterceptorParams');
    const headers = canonicalHeaders(req.header ?? {});
    const notAllowed = eventTypeRejection(eventTypes, headerGet(headers, 'X-Event-Key'));
    if (notAllowed) return notAllowed;
    if (secretRef) {
      if (secretRef.secretKey === '') return rejected(CODES.FailedPrecondition, 'bitbucket interceptor secretRef.secretKey is empty');
      const signature = headerGet(headers, 'X-Hub-Signature');
      if (signature === '') return rejected(CODES.InvalidArgument, 'no X-Hub-Signature header set');
      if (!req.context) return rejected(CODES.InvalidArgument, 'no request context passed');
      const secret = await getSecret(req, deps, secretRef);
      if ('error' in secret) return rejected(CODES.FailedPrecondition, `error getting secret: ${secret.error}`);
      const bad = validateSignature(signature, req.rawBody ?? req.body, secret.value);
      if (bad) return rejected(CODES.FailedPrecondition, bad);
    }
    return { continue: true };
  });
};
