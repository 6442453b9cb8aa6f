// What interceptors receive and answer, as Tekton Triggers' InterceptorRequest/InterceptorResponse
// (pkg/apis/triggers/v1beta1/interceptor_types.go), and the one signature every core interceptor
// implements. Header keys are Go-canonical (`X-Github-Event`), values lists of strings.

export interface InterceptorContext {
  /** the URL the event was posted to */
  event_url: string;
  event_id: string;
  /** `namespaces/<ns>/triggers/<name>` (trigger groups: `namespaces/<ns>/triggerGroups/<group>`) */
  trigger_id: string;
}

export interface InterceptorRequest {
  /** the raw body as text */
  body: string;
  /** kiln: the body's exact bytes, which signatures are checked over (absent: `body` as UTF-8) */
  rawBody?: Uint8Array;
  header: Record<string, string[]>;
  /** what earlier interceptors in the chain added */
  extensions: Record<string, unknown>;
  /** this interceptor's params: `{name: value}` */
  interceptor_params: Record<string, unknown>;
  context: InterceptorContext;
}

/** gRPC status codes Tekton's interceptors answer with. */
export const CODES = { OK: 0, InvalidArgument: 3, NotFound: 5, FailedPrecondition: 9, Internal: 13 } as const;

export interface InterceptorResponse {
  extensions?: Record<string, unknown>;
  continue: boolean;
  status?: { code: number; message: string };
}

/** Secrets are read in the trigger's namespace: `secretRef: {secretName, secretKey}`. */
export type SecretLookup = (namespace: string, secretName: string, secretKey: string) => Promise<string | undefined>;

export interface InterceptorDeps {
  secret: SecretLookup;
}

/** A core interceptor: never throws for a bad event, answers `continue: false` with a status instead. */
export type Interceptor = (req: InterceptorRequest, deps: InterceptorDeps) => Promise<InterceptorResponse>;

/** The namespace of `namespaces/<ns>/triggers/<name>`. */
export function namespaceOfTriggerId(triggerId: string): string {
  const m = /^namespaces\/([^/]+)\//.exec(triggerId);
  return m ? m[1] : 'default';
}

export function rejected(code: number, message: string): InterceptorResponse {
  return { continue: false, status: { code, message } };
}
