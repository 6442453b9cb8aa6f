// The GitHub interceptor (Tekton pkg/interceptors/github/github.go). Checks in Tekton's order:
// form encoding, eventTypes against X-GitHub-Event, the X-Hub-Signature-256 HMAC when secretRef is
// set, then addChangedFiles (push: from the payload) — which returns at once — or githubOwners.
// What needs the GitHub API (changed files of a pull_request, owners checks) answers
// FailedPrecondition: kiln does not call api.github.com.
import { CODES, rejected, type Interceptor, type InterceptorRequest, type InterceptorDeps, type InterceptorResponse } from '../types.ts';
import { goJsonUnmarshalObject } from '../gojson.ts';
import { canonicalHeaders, headerGet } from './header.ts';
import { eventTypeRejection, getSecret, guarded, ParamError, readEventTypes, readSecretRef, type SecretRef } from './params.ts';
import { validateSignature } from './signature.ts';

const CHANGED_FILES_EVENTS = ['pull_request', 'push'];
const OWNERS_EVENTS = ['pull_request', 'issue_comment'];

/** Why a GitHub API call cannot be made. */
export const GITHUB_API_UNREACHABLE = 'kiln cannot reach the GitHub API';

interface GitHubParams {
  secretRef?: SecretRef;
  eventTypes?: string[];
  addChangedFiles: { enabled: boolean; personalAccessToken?: SecretRef };
  githubOwners: { enabled: boolean; personalAccessToken?: SecretRef; checkType: string };
}

function readToggle(v: unknown, field: string): { enabled: boolean; personalAccessToken?: SecretRef; checkType: string } {
  if (v === undefined || v === null) return { enabled: false, checkType: '' };
  if (typeof v !== 'object' || Array.isArray(v)) throw new ParamError(`json: cannot unmarshal into Go struct field GitHubInterceptor.${field}`);
  const o = v as Record<string, unknown>;
  if (o.enabled !== undefined && o.enabled !== null && typeof o.enabled !== 'boolean') {
    throw new ParamError(`json: cannot unmarshal ${typeof o.enabled} into Go struct field GitHubInterceptor.${field}.enabled of type bool`);
  }
  return {
    enabled: o.enabled === true,
    personalAccessToken: readSecretRef(o.personalAccessToken, `GitHubInterceptor.${field}.personalAccessToken`),
    checkType: typeof o.checkType === 'string' ? o.checkType : '',
  };
}

function readParams(p: Record<string, unknown>): GitHubParams {
  return {
    secretRef: readSecretRef(p.secretRef, 'GitHubInterceptor.secretRef'),
    eventTypes: readEventTypes(p, 'GitHubInterceptor'),
    addChangedFiles: readToggle(p.addChangedFiles, 'addChangedFiles'),
    githubOwners: readToggle(p.githubOwners, 'githubOwners'),
  };
}

/** The files a push touched: each commit's added, modified, removed (in that order), comma-joined. */
export function changedFilesOfPush(body: string): { files: string } | { error: string } {
  if (body === '') return { error: 'body is empty' };
  const parsed = goJsonUnmarshalObject(body);
  if ('error' in parsed) return parsed;
  const payload = parsed.value;
  const repo = payload.repository;
  if (typeof repo !== 'object' || repo === null || Array.isArray(repo)) return { error: "payload body missing 'repository' field" };
  if (typeof (repo as Record<string, unknown>).full_name !== 'string') return { error: "payload body missing 'repository.full_name' field" };
  const files: string[] = [];
  if (Array.isArray(payload.commits)) {
    for (const commit of payload.commits as unknown[]) {
      const c = (typeof commit === 'object' && commit !== null ? commit : {}) as Record<string, unknown>;
      for (const field of ['added', 'modified', 'removed']) {
        if (!Array.isArray(c[field])) return { error: `payload body missing 'commits.*.${field}' field` };
      }
      for (const field of ['added', 'modified', 'removed']) files.push(...(c[field] as unknown[]).map((f) => (typeof f === 'string' ? f : JSON.stringify(f))));
    }
  }
  return { files: files.join(',') };
}

async function token(req: InterceptorRequest, deps: InterceptorDeps, ref: SecretRef | undefined, what: string): Promise<{ value: string } | { error: string }> {
  if (!ref) return { value: '' };
  if (ref.secretKey === '') return { error: `github interceptor ${what}.secretKey is empty` };
  return getSecret(req, deps, ref);
}

async function addChangedFiles(req: InterceptorRequest, deps: InterceptorDeps, p: GitHubParams, event: string): Promise<InterceptorResponse> {
  if (!CHANGED_FILES_EVENTS.includes(event)) return { continue: true };
  const t = await token(req, deps, p.addChangedFiles.personalAccessToken, 'githubToken');
  if ('error' in t) return rejected(CODES.FailedPrecondition, `error getting secret: ${t.error}`);
  if (event === 'pull_request') {
    return rejected(CODES.FailedPrecondition, `error getting changed files: ${GITHUB_API_UNREACHABLE} (pull_request changed files come from GET /repos/{owner}/{repo}/pulls/{number}/files); only push events carry their changed files`);
  }
  const r = changedFilesOfPush(req.body);
  if ('error' in r) return rejected(CODES.FailedPrecondition, `error parsing body: ${r.error}`);
  return { continue: true, extensions: { changed_files: r.files } };
}

async function ownersCheck(req: InterceptorRequest, deps: InterceptorDeps, p: GitHubParams, event: string): Promise<InterceptorResponse> {
  if (!OWNERS_EVENTS.includes(event)) return { continue: true };
  const t = await token(req, deps, p.githubOwners.personalAccessToken, 'personalAccessToken');
  if ('error' in t) return rejected(CODES.FailedPrecondition, `error getting github token: ${t.error}`);
  if (t.value === '' && p.githubOwners.checkType !== 'none') {
    return rejected(CODES.FailedPrecondition, 'checkType is set to check org or repo members but no personalAccessToken was supplied');
  }
  if (req.body === '') return rejected(CODES.FailedPrecondition, 'error parsing body: payload body is empty');
  return rejected(CODES.FailedPrecondition, `error checking owner verification: ${GITHUB_API_UNREACHABLE} (the owners check reads org members, collaborators and the OWNERS file through it)`);
}

/**
 * Params: `secretRef`, `eventTypes`, `addChangedFiles: {enabled, personalAccessToken}`,
 * `githubOwners: {enabled, personalAccessToken, checkType}`. Without `secretRef` no signature is checked.
 */
export const githubInterceptor: Interceptor = function github(req, deps) {
  return guarded(async () => {
    const headers = canonicalHeaders(req.header ?? {});
    if (headerGet(headers, 'Content-Type') === 'application/x-www-form-urlencoded') {
      return rejected(CODES.InvalidArgument, 'form parameter encoding not supported, please change the hook to send JSON payloads');
    }
    const p = readParams(req.interceptor_params ?? {});
    const event = headerGet(headers, 'X-GitHub-Event');
    const notAllowed = eventTypeRejection(p.eventTypes, event);
    if (notAllowed) return notAllowed;

    if (p.secretRef) {
      if (p.secretRef.secretKey === '') return rejected(CODES.FailedPrecondition, 'github interceptor secretRef.secretKey is empty');
      const signature = headerGet(headers, 'X-Hub-Signature-256');
      if (signature === '') return rejected(CODES.FailedPrecondition, 'no X-Hub-Signature-256 header set');
      if (!req.context) return rejected(CODES.InvalidArgument, 'no request context passed');
      const secret = await getSecret(req, deps, p.secretRef);
      if ('error' in secret) return rejected(CODES.FailedPrecondition, `error getting secret: ${secret.error}`);
      const bad = validateSignature(signature, req.rawBody ?? req.body, secret.value);
      if (bad) return rejected(CODES.FailedPrecondition, bad);
    }

    if (p.addChangedFiles.enabled) return addChangedFiles(req, deps, p, event);
    if (p.githubOwners.enabled) return ownersCheck(req, deps, p, event);
    return { continue: true };
  });
};
