// One TaskRun attempt as one Kubernetes Pod (docs/decisions/0023): a `prepare` init container
// (busybox copied to /tekton/bin, scripts written, step directories made), sidecars as native
// sidecars (init containers with restartPolicy Always, gated by their startup probe), each step an
// init container in order running its wrapper (wrapper.ts), and one `report` container that prints
// the task and step results to its log (read back by the executor: no 4 KiB termination-message
// ceiling). Pure: the plan in, a Pod object or what cannot be expressed out.
import type { ExecutionPlan, PlanContainer, PlanProbe, Unsupported } from '../executor.ts';
import { effectiveCapabilities } from '../podman/capabilities.ts';
import type { StepCapabilities } from '../podman/capabilities.ts';
import { scriptText, shQuote } from '../process/script.ts';
import { beforeStepAnnotation, beforeStepFile } from './beforestep.ts';
import { reportLines, reportMounts } from './reports.ts';
import { badCredentialPaths, CREDS_SECRET_DIR, CREDS_VOLUME, credsLines, credsOwners, credsVolume, stepCredsDir, stepCredsVolume } from './creds.ts';
import { DOWNWARD_DIR, POD_BUSYBOX, stepWrapper } from './wrapper.ts';

/** What the Pod needs besides the plan. */
export interface PodOptions {
  /** the image `prepare` copies busybox from and `report` runs in (its /bin/busybox must be static) */
  toolsImage: string;
  /** the Pod's name (the caller makes it unique per attempt, ≤ 63 characters) */
  name: string;
  /** ENTRYPOINT and CMD of the images whose steps name no command (read from the registry by the caller) */
  entrypoints?: Readonly<Record<string, { entrypoint: readonly string[]; cmd: readonly string[] }>>;
  serviceAccountName?: string;
  imagePullSecrets?: readonly string[];
  labels?: Readonly<Record<string, string>>;
  /** indexes of the steps `beforeStep` skipped before the Pod was made (their wrappers only say so) */
  skipped?: readonly number[];
  /** indexes of the steps that wait for kiln's `beforeStep` answer (beforestep.ts) */
  gated?: readonly number[];
  /**
   * `--step-capabilities`: 'none' (the default) drops ALL in every container; 'kubernetes' leaves the
   * steps' and sidecars' capabilities to the node's runtime with their own securityContext.capabilities
   * (checked as the podman executor checks them); kiln's prepare and report keep drop ALL
   */
  capabilities?: StepCapabilities;
  /** adds beyond the runtime's default set are accepted (`--allow-privileged`) */
  allowPrivileged?: boolean;
}

type Obj = Record<string, unknown>;

/** The downward API volume of kiln's answers to waiting steps. */
const DOWNWARD_VOLUME = 'tekton-internal-downward';

/** The Pod's own directories: name → mount path (each an emptyDir). */
const INTERNAL: ReadonlyArray<[string, string]> = [
  ['tekton-internal-bin', '/tekton/bin'],
  ['tekton-internal-scripts', '/tekton/scripts'],
  ['tekton-internal-steps', '/tekton/steps'],
  ['tekton-internal-results', '/tekton/results'],
  ['tekton-internal-home', '/tekton/home'],
  ['tekton-internal-creds', '/tekton/creds'],
  ['tekton-internal-artifacts', '/tekton/artifacts'],
  ['tekton-internal-workspace', '/workspace'],
];
const internalMounts = (readOnly: ReadonlySet<string> = new Set()) => INTERNAL.map(([name, mountPath]) => ({ name, mountPath, ...(readOnly.has(name) ? { readOnly: true } : {}) }));

/**
 * Step i's own run directory, /tekton/run/<i> (an emptyDir each, as Tekton): its exit code,
 * results and artifacts live in /tekton/run/<i>/status, which /tekton/steps/<container> and
 * /tekton/steps/<i> link to. Step i alone mounts it writable; the other steps read it.
 */
const runVolume = (i: number) => `tekton-internal-run-${i}`;
const runDir = (i: number) => `/tekton/run/${i}`;
/** The mounts of every step's run directory: writable for step `own` only (none for -1, every one for 'all'). */
function runMounts(plan: ExecutionPlan, own: number | 'all'): Obj[] {
  return plan.steps.map((_, j) => ({ name: runVolume(j), mountPath: runDir(j), ...(own === 'all' || own === j ? {} : { readOnly: true }) }));
}

/** A mount path as compared for clashes: without its trailing slashes (and `.` parts). */
const cleanPath = (p: string) => p.split('/').filter((x) => x && x !== '.').join('/');

/** Where a step without `workingDir` starts (Tekton's default); a relative one is under it. */
const DEFAULT_WORKING_DIR = '/workspace';
const workingDirOf = (wd: string | undefined) => {
  const d = wd?.trim();
  if (!d) return DEFAULT_WORKING_DIR;
  return d.startsWith('/') ? d : `${DEFAULT_WORKING_DIR}/${d}`;
};

/** A plan volume as a Pod volume, or why it has none. */
function podVolume(v: ExecutionPlan['volumes'][number]): Obj | string {
  const s = v.source;
  if (s.type === 'emptyDir') return { name: v.name, emptyDir: {} };
  if (s.type === 'claim') return { name: v.name, persistentVolumeClaim: { claimName: s.claimName } };
  if (s.type === 'files') {
    if (!s.ref) return 'its files were read by kiln, and the Pod needs the ConfigMap, Secret or projected sources they came from';
    // a projected volume's sources go to the Pod as written: the kubelet projects them (service account tokens, the downward API too)
    if (s.ref.kind === 'Projected') return { name: v.name, projected: { sources: s.ref.sources, ...(s.mode !== undefined ? { defaultMode: s.mode } : {}) } };
    const more = { ...(s.mode !== undefined ? { defaultMode: s.mode } : {}), ...(s.ref.items ? { items: s.ref.items } : {}), ...(s.ref.optional !== undefined ? { optional: s.ref.optional } : {}) };
    return s.ref.kind === 'Secret' ? { name: v.name, secret: { secretName: s.ref.name, ...more } } : { name: v.name, configMap: { name: s.ref.name, ...more } };
  }
  return 'a host directory (`kiln run -w`) has no meaning on a cluster';
}

function probe(p: PlanProbe): Obj {
  const s = (ms?: number) => (ms === undefined ? undefined : Math.max(1, Math.ceil(ms / 1000)));
  return Object.fromEntries(Object.entries({
    exec: { command: p.command },
    initialDelaySeconds: p.initialDelayMs === undefined ? undefined : Math.ceil(p.initialDelayMs / 1000),
    periodSeconds: s(p.periodMs),
    timeoutSeconds: s(p.timeoutMs),
    failureThreshold: p.failureThreshold,
  }).filter(([, x]) => x !== undefined));
}

/**
 * What every container of a step or sidecar carries over from the plan. The Pod's own mounts
 * (/workspace, /tekton/home, …) give way to a mount of the container's own at the same path, as
 * in Tekton (two mounts at one path are refused by the API server).
 */
function common(c: PlanContainer, o: { extra?: Obj[]; step?: boolean; caps?: StepCapabilities } = {}): Obj {
  const env = [...c.env.map((e) => ({ name: e.name, value: e.value }))];
  if (!c.env.some((e) => e.name === 'HOME')) env.push({ name: 'HOME', value: '/tekton/home' });
  const asked = o.caps === 'kubernetes' && (c.capabilities?.add?.length || c.capabilities?.drop?.length)
    ? { capabilities: { ...(c.capabilities?.add?.length ? { add: c.capabilities.add } : {}), ...(c.capabilities?.drop?.length ? { drop: c.capabilities.drop } : {}) } }
    : {};
  const sc: Obj = c.privileged
    ? { privileged: true }
    : { allowPrivilegeEscalation: false, ...(o.caps === 'kubernetes' ? asked : { capabilities: { drop: ['ALL'] } }), seccompProfile: { type: 'RuntimeDefault' } };
  if (c.runAs?.uid !== undefined) sc.runAsUser = c.runAs.uid;
  if (c.runAs?.gid !== undefined) sc.runAsGroup = c.runAs.gid;
  if (c.runAs?.nonRoot !== undefined) sc.runAsNonRoot = c.runAs.nonRoot;
  const limits = Object.fromEntries(Object.entries(c.limits ?? {}).filter(([, q]) => q));
  const own = new Set(c.mounts.map((m) => cleanPath(m.mountPath)));
  return {
    name: c.containerName,
    image: c.image,
    ...(c.imagePullPolicy ? { imagePullPolicy: c.imagePullPolicy } : {}),
    ...(o.step ? { workingDir: workingDirOf(c.workingDir) } : c.workingDir ? { workingDir: c.workingDir } : {}),
    env,
    ...(Object.keys(limits).length ? { resources: { limits } } : {}),
    securityContext: sc,
    volumeMounts: [
      ...[...internalMounts(new Set(['tekton-internal-bin', 'tekton-internal-scripts'])), ...(o.extra ?? [])].filter((m) => !own.has(cleanPath(m.mountPath as string))),
      ...c.mounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, ...(m.subPath ? { subPath: m.subPath } : {}), ...(m.readOnly ? { readOnly: true } : {}) })),
    ],
  };
}

/** The argv a container runs: its script (at `scriptPath`), its command + args, or its image's entrypoint + args. */
export function argvOf(c: PlanContainer, entrypoints: PodOptions['entrypoints'], scriptPath = `/tekton/scripts/${c.containerName}`): string[] | undefined {
  if (c.script !== undefined) return [scriptPath, ...(c.args ?? [])];
  if (c.command?.length) return [...c.command, ...(c.args ?? [])];
  const ep = entrypoints?.[c.image];
  if (!ep) return undefined;
  // args replace the image's CMD (Kubernetes' rule)
  const argv = [...ep.entrypoint, ...(c.args?.length ? c.args : ep.cmd)];
  return argv.length ? argv : undefined;
}

/** `prepare`: busybox into /tekton/bin, every script into /tekton/scripts, a directory per step. */
function prepareContainer(plan: ExecutionPlan, o: PodOptions): Obj {
  const scripts = [...plan.sidecars, ...plan.steps].filter((c) => c.script !== undefined);
  const lines = ['set -e', `/bin/busybox cp /bin/busybox ${POD_BUSYBOX}`, ...credsLines(plan)];
  scripts.forEach((c, i) => lines.push(`printf %s "$KILN_SCRIPT_${i}" | /bin/busybox base64 -d > /tekton/scripts/${c.containerName}`, `/bin/busybox chmod 0755 /tekton/scripts/${c.containerName}`));
  // steps may run as any user (runAsUser): their directories are open to all, as emptyDirs are;
  // /tekton/steps/<container> links to the step's own /tekton/run/<i>/status, and
  // /tekton/steps/<index> names the same directory (Tekton's links)
  plan.steps.forEach((c, i) => {
    const dirs = ['', '/results', '/artifacts'].map((x) => `${runDir(i)}/status${x}`).join(' ');
    lines.push(`/bin/busybox mkdir -p ${dirs}`, `/bin/busybox chmod 0777 ${dirs}`,
      `/bin/busybox ln -s ${runDir(i)}/status ${shQuote(`/tekton/steps/${c.containerName}`)}`, `/bin/busybox ln -s ${shQuote(c.containerName)} /tekton/steps/${i}`);
  });
  return {
    name: 'prepare',
    image: o.toolsImage,
    command: ['/bin/busybox', 'sh', '-c', `${lines.join('\n')}\n`],
    env: scripts.map((c, i) => ({ name: `KILN_SCRIPT_${i}`, value: Buffer.from(scriptText(c.script!)).toString('base64') })),
    // CHOWN only to hand a step running as another user its own copy of the credentials
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], ...(credsOwners(plan).length ? { add: ['CHOWN'] } : {}) }, seccompProfile: { type: 'RuntimeDefault' } },
    volumeMounts: [
      ...internalMounts(), ...runMounts(plan, 'all'), ...(credsLines(plan).length ? [{ name: CREDS_VOLUME, mountPath: CREDS_SECRET_DIR, readOnly: true }] : []),
      ...credsOwners(plan).map((w) => ({ name: stepCredsVolume(w.index), mountPath: stepCredsDir(w.index) })),
    ],
  };
}

/** `report`: task results, step results and artifacts as `kiln-<kind> <name> <base64>` lines on its log. */
function reportContainer(plan: ExecutionPlan, o: PodOptions): Obj {
  const b = '/bin/busybox';
  const lines = [`for f in /tekton/results/*; do [ -f "$f" ] && echo "kiln-result $(${b} basename "$f") $(${b} base64 -w0 "$f")"; done`];
  for (const c of plan.steps) {
    const d = shQuote(`/tekton/steps/${c.containerName}`);
    lines.push(`for f in ${d}/results/*; do [ -f "$f" ] && echo "kiln-step-result ${c.containerName}/$(${b} basename "$f") $(${b} base64 -w0 "$f")"; done`);
  }
  lines.push(`[ -f /tekton/artifacts/provenance.json ] && echo "kiln-artifacts - $(${b} base64 -w0 /tekton/artifacts/provenance.json)"`, ...reportLines(plan), 'exit 0');
  return {
    name: 'report',
    image: o.toolsImage,
    command: [b, 'sh', '-c', `${lines.join('\n')}\n`],
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
    volumeMounts: [...internalMounts(new Set(INTERNAL.map(([n]) => n))), ...runMounts(plan, -1), ...reportMounts(plan)],
  };
}

/** The labels of the Pod (and of the Secret made for it). */
export function podLabels(plan: ExecutionPlan, o: Pick<PodOptions, 'labels'>): Record<string, string> {
  // a label value holds at most 63 characters (names may have 253)
  return { 'app.kubernetes.io/managed-by': 'kiln', 'tekton.dev/taskRun': plan.taskRunName.slice(0, 63).replace(/[^A-Za-z0-9]+$/, ''), ...o.labels };
}

/** The Pod running `plan`, or what in the plan a Pod cannot express. */
export function podFor(plan: ExecutionPlan, o: PodOptions): { pod: Obj } | { unsupported: Unsupported[] } {
  const unsupported: Unsupported[] = [];
  const volumes: Obj[] = [...INTERNAL, ...plan.steps.map((_, i) => [runVolume(i)])].map(([name]) => ({ name, emptyDir: {} }));
  for (const v of plan.volumes) {
    const pv = podVolume(v);
    if (typeof pv === 'string') unsupported.push({ what: `volume ${v.name}`, why: pv });
    else volumes.push(pv);
  }
  const caps = o.capabilities ?? 'none';
  for (const [kind, list] of [['sidecar', plan.sidecars], ['step', plan.steps]] as const) {
    for (const c of list) {
      const eff = effectiveCapabilities(c, caps, !!o.allowPrivileged);
      if (!Array.isArray(eff)) unsupported.push({ what: `${kind} ${c.name}: securityContext.capabilities.${eff.field}`, why: eff.why });
    }
  }
  const ownCreds = new Set(credsOwners(plan).map((w) => w.index));
  for (const i of ownCreds) volumes.push({ name: stepCredsVolume(i), emptyDir: {} });
  const sidecars = plan.sidecars.map((c) => {
    const argv = argvOf(c, o.entrypoints);
    const startup = c.startupProbe ?? c.readinessProbe;
    return { ...common(c, { caps }), ...(argv ? { command: argv } : {}), restartPolicy: 'Always', ...(startup ? { startupProbe: probe(startup) } : {}) };
  });
  const steps = plan.steps.map((c, i) => {
    const argv = argvOf(c, o.entrypoints);
    if (!argv) unsupported.push({ what: `step ${c.name}`, why: `it names no command and the entrypoint of image ${c.image} is not known` });
    const gate = o.gated?.includes(i) ? { index: i, earlier: plan.steps.slice(0, i).map((x) => x.containerName) } : undefined;
    const container = common(c, { extra: runMounts(plan, i), step: true, caps });
    if (ownCreds.has(i)) {
      // its own credentials (owned by its user) in place of the Pod's /tekton/creds
      const mounts = container.volumeMounts as Obj[];
      const at = mounts.findIndex((m) => m.name === 'tekton-internal-creds');
      if (at >= 0) mounts[at] = { name: stepCredsVolume(i), mountPath: '/tekton/creds' };
    }
    if (gate) (container.volumeMounts as Obj[]).push({ name: DOWNWARD_VOLUME, mountPath: DOWNWARD_DIR, readOnly: true });
    return { ...container, command: [POD_BUSYBOX, 'sh', '-c', stepWrapper(c, { skip: o.skipped?.includes(i), gate }), 'kiln-step', ...(argv ?? [])] };
  });
  if (o.gated?.length) {
    // kiln's answers to the waiting steps: Pod annotations, written into files by the kubelet
    const items = o.gated.map((i) => ({ path: beforeStepFile(i), fieldRef: { fieldPath: `metadata.annotations['${beforeStepAnnotation(i)}']` } }));
    volumes.push({ name: DOWNWARD_VOLUME, downwardAPI: { items } });
  }
  const badCreds = badCredentialPaths(plan);
  if (badCreds.length) unsupported.push({ what: 'credentials from the ServiceAccount', why: `a Pod cannot hold ${badCreds.map((p) => JSON.stringify(p)).join(', ')} (relative paths without ".." only)` });
  const creds = credsVolume(plan, o.name);
  if (creds) volumes.push(creds);
  if (unsupported.length) return { unsupported };
  const spec: Obj = {
    restartPolicy: 'Never',
    ...(plan.timeoutMs && plan.timeoutMs > 0 ? { activeDeadlineSeconds: Math.ceil(plan.timeoutMs / 1000) } : {}),
    ...(o.serviceAccountName ? { serviceAccountName: o.serviceAccountName } : {}),
    ...(o.imagePullSecrets?.length ? { imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })) } : {}),
    volumes,
    initContainers: [prepareContainer(plan, o), ...sidecars, ...steps],
    containers: [reportContainer(plan, o)],
  };
  const labels = podLabels(plan, o);
  return { pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name: o.name, namespace: plan.namespace, labels }, spec } };
}
