// check(): what in a plan the process executor cannot run on this machine, found before starting.
import { existsSync } from 'node:fs';
import type { ExecutionPlan, PlanContainer, Unsupported } from '../executor.ts';
import { isExecutable } from './host.ts';
import { attemptLayout, volumeDir } from './layout.ts';
import { TrustedDirs } from './beneath.ts';
import { SHELL_BUILTINS, containerBinds, containerEnv, resolveArgv, sandboxPath, workingDir } from './prepare.ts';
import type { AttemptContext, HostTools } from './prepare.ts';
import { hostPath } from './sandbox.ts';
import { SH_FAMILY, parseShebang, scriptText } from './script.ts';

const NEEDS_NAMESPACE = 'needs a mount namespace (install bubblewrap)';

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir + '/');
}

/** PATH as a sandboxed step sees it: directories hidden by masks are gone. */
function visiblePath(PATH: string, masks: readonly string[]): string {
  return PATH.split(':').filter((d) => !masks.some((m) => under(d, m))).join(':');
}

/** Reports `word` when it names no executable a step could run (builtins and run-time files pass). */
function checkCommand(tools: HostTools, who: string, word: string | undefined, PATH: string, mountPaths: readonly string[]): Unsupported | undefined {
  if (!word || SHELL_BUILTINS.has(word) || word === tools.busybox || word.startsWith('/tekton/')) return undefined;
  if (word.includes('/')) {
    if (!word.startsWith('/') || mountPaths.some((m) => under(word, m)) || under(word, '/workspace')) return undefined;
    return isExecutable(word) ? undefined : { what: `${who}: command ${word}`, why: 'not found on this machine' };
  }
  return tools.which(word, PATH) ? undefined : { what: `${who}: command ${word}`, why: `not found on this machine (PATH=${PATH})` };
}

/** The script's interpreter, when the host cannot run it. */
function checkInterpreter(tools: HostTools, who: string, script: string, PATH: string): Unsupported | undefined {
  const sb = parseShebang(scriptText(script));
  if (!sb || (tools.busybox && SH_FAMILY.has(sb.program))) return undefined;
  const hint = SH_FAMILY.has(sb.program) ? ' (install busybox-static)' : '';
  if (sb.interpreter.endsWith('/env')) {
    return tools.which(sb.program, PATH) ? undefined : { what: `${who}: interpreter ${sb.program}`, why: `not found on this machine${hint}` };
  }
  return isExecutable(sb.interpreter) ? undefined : { what: `${who}: interpreter ${sb.interpreter}`, why: `not found on this machine${hint}` };
}

/** Everything wrong with one container. */
function checkContainer(tools: HostTools, actx: AttemptContext, c: PlanContainer, kind: 'step' | 'sidecar', index: number): Unsupported[] {
  const out: Unsupported[] = [];
  const who = `${kind} ${c.name}`;
  const { binds, errors } = containerBinds(tools, actx, c, { kind, index });
  for (const e of errors) out.push({ what: who, why: e });
  const env = containerEnv(c, '/tekton/home');
  const PATH = tools.bwrap ? visiblePath(env.PATH, tools.masks) : env.PATH;
  const mountPaths = c.mounts.map((m) => m.mountPath);
  if (!tools.bwrap) {
    for (const m of mountPaths) if (!under(m, '/workspace') && !m.startsWith('/tekton/')) out.push({ what: `${who} mounts ${m}`, why: NEEDS_NAMESPACE });
    const wd = workingDir(c);
    if (!hostPath(binds, wd) && !existsSync(wd)) out.push({ what: `${who} workingDir ${wd}`, why: NEEDS_NAMESPACE });
  }
  for (const [field, p] of [['stdoutConfig', c.stdoutPath], ['stderrConfig', c.stderrPath]] as const) {
    if (p && !hostPath(binds, sandboxPath(p))) out.push({ what: `${who} ${field}.path ${p}`, why: 'kiln can only write it in a workspace, a volume or under /tekton' });
  }
  const busybox = tools.busybox;
  const r = resolveArgv(tools, c, '/tekton/scripts/check', busybox, PATH);
  if ('error' in r) out.push({ what: `image ${c.image}`, why: 'kiln does not know its entrypoint; give the step a command or script' });
  else if (r.scriptText !== undefined) {
    const u = checkInterpreter(tools, who, c.script ?? '', PATH);
    if (u) out.push(u);
  } else {
    const u = checkCommand(tools, who, r.argv[0], PATH, mountPaths);
    if (u) out.push(u);
  }
  for (const probe of [c.startupProbe, c.readinessProbe]) {
    if (!probe) continue;
    const pr = resolveArgv(tools, c, '/tekton/scripts/check', busybox, PATH, probe.command);
    const u = 'error' in pr ? undefined : checkCommand(tools, `${who} probe`, pr.argv[0], PATH, mountPaths);
    if (u) out.push(u);
  }
  return out;
}

/** What in `plan` this machine cannot provide (duplicates removed). */
export function checkPlan(tools: HostTools, dataDir: string, plan: ExecutionPlan): Unsupported[] {
  const layout = attemptLayout(dataDir, plan);
  const volumes = new Map(plan.volumes.map((v) => [v.name, volumeDir(dataDir, layout, v)]));
  const actx: AttemptContext = { plan, layout, volumes, trusted: new TrustedDirs() }; // never opened: checks do no IO beneath it
  const all = [
    ...plan.steps.flatMap((c, i) => checkContainer(tools, actx, c, 'step', i)),
    ...plan.sidecars.flatMap((c, i) => checkContainer(tools, actx, c, 'sidecar', i)),
  ];
  const seen = new Set<string>();
  return all.filter((u) => !seen.has(`${u.what}\0${u.why}`) && Boolean(seen.add(`${u.what}\0${u.why}`)));
}
