// The shell text a TaskRun's Pod runs around each step, with no binary of kiln's own in the Pod:
// a static busybox copied from a busybox image into /tekton/bin by the first init container runs
// it (docs/decisions/0023). Each step is an init container, so steps run in order; the wrapper
// always exits 0 so the next one starts, and carries Tekton's semantics itself: the exit code in
// /tekton/steps/<container>/exitCode and in the container's termination message, a step after a
// failure skipped, `onError: continue`, the step's timeout, stdoutConfig/stderrConfig tees.
import type { PlanContainer } from '../executor.ts';
import { shQuote } from '../process/script.ts';
import { beforeStepFile, CONTEXT_END } from './beforestep.ts';

/** Where the busybox the wrappers run lives in every container of the Pod. */
export const POD_BUSYBOX = '/tekton/bin/busybox';
/** A file whose presence says an earlier step failed: the steps after it are skipped. */
export const STOP_MARKER = '/tekton/steps/.kiln-stop';
/** What a step's wrapper writes to /dev/termination-log (read back from the container status). */
export interface StepTermination { exitCode?: number; timedOut?: boolean; skipped?: boolean }
/** Seconds between SIGTERM and SIGKILL when a step's timeout fires. */
export const STEP_GRACE_S = 2;

/**
 * `$@` resolved against the image's PATH before it runs: a name without a slash would otherwise
 * go to busybox's own applet first in builds that prefer applets (Debian's static busybox does).
 */
const RESOLVE = [
  'c=$1; shift',
  'case $c in */*) ;; *) o=$IFS; IFS=:; for p in ${PATH:-/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin}; do if [ -f "$p/$c" ] && [ -x "$p/$c" ]; then c=$p/$c; break; fi; done; IFS=$o;; esac',
  'set -- "$c" "$@"',
].join('\n');

/** The step with its tees, as one pipeline of `"$@"`. */
function pipeline(c: PlanContainer): string {
  const tee = (path: string) => `${POD_BUSYBOX} tee ${shQuote(path)}`;
  if (c.stdoutPath && c.stderrPath) return `{ "$@" 2>&1 1>&3 3>&- | ${tee(c.stderrPath)} >&2; } 3>&1 | ${tee(c.stdoutPath)}`;
  if (c.stdoutPath) return `"$@" | ${tee(c.stdoutPath)}`;
  if (c.stderrPath) return `{ "$@" 2>&1 1>&3 3>&- | ${tee(c.stderrPath)} >&2; } 3>&1`;
  return '"$@"';
}

/**
 * The command that starts the step in the background. With a timeout it runs in a session of its
 * own (busybox setsid), so the watchdog stops it and its tees as one process group: job control
 * (`set -m`) needs a terminal, which a container does not have.
 */
function runLine(c: PlanContainer, timed: boolean): string {
  const p = pipeline(c);
  if (!timed) return p === '"$@"' ? '"$@" &' : `{ ${p}; } &`;
  if (p === '"$@"') return `${POD_BUSYBOX} setsid "$@" &`;
  return `${POD_BUSYBOX} setsid ${POD_BUSYBOX} sh -c ${shQuote(`set -o pipefail\n${p}`)} kiln-step "$@" &`;
}

/** Where the Pod's downward API volume (kiln's answers to waiting steps) is mounted. */
export const DOWNWARD_DIR = '/tekton/downward';

/** How a step's wrapper starts: skipped up front, or waiting for kiln's answer (beforestep.ts). */
export interface WrapperOptions {
  /** `beforeStep` skipped the step before the Pod was made */
  skip?: boolean;
  /** the step waits for kiln's answer: `index` is its place, `earlier` the containers before it */
  gate?: { index: number; earlier: readonly string[] };
}

/**
 * Prints the earlier steps' results and artifacts (base64, one per line, then CONTEXT_END) and
 * waits for kiln's answer in the downward API file, then applies it: values are decoded into
 * argv, env and a script file, never evaluated.
 */
function gateLines(gate: NonNullable<WrapperOptions['gate']>): string[] {
  const b = POD_BUSYBOX;
  const f = `${DOWNWARD_DIR}/${beforeStepFile(gate.index)}`;
  return [
    `for s in ${gate.earlier.map(shQuote).join(' ')}; do`,
    `  for f in /tekton/steps/$s/results/*; do [ -f "$f" ] && echo "kiln-context-result $s/$(${b} basename "$f") $(${b} base64 -w0 "$f")"; done`,
    `  a=/tekton/steps/$s/artifacts/provenance.json; [ -f $a ] && echo "kiln-context-artifacts $s $(${b} base64 -w0 $a)"`,
    'done',
    `echo ${CONTEXT_END}`,
    `until [ -s ${f} ]; do ${b} sleep 0.2; done`,
    // a value, decoded; the x keeps its trailing line breaks from the command substitution
    `dec() { v=$(printf %s "$1" | ${b} base64 -d; echo x); v=\${v%x}; }`,
    'while IFS= read -r l || [ -n "$l" ]; do',
    '  case $l in',
    `    skip) printf '{"skipped":true}' > /dev/termination-log; exit 0;;`,
    '    run) set --;;',
    '    "a "*) dec "${l#a }"; set -- "$@" "$v";;',
    '    "e "*) dec "${l#e }"; export "$v";;',
    '    "u "*) dec "${l#u }"; unset "$v";;',
    `    "s "*) dec "\${l#s }"; printf %s "$v" > "$d/script"; ${b} chmod 0755 "$d/script";;`,
    `    "x "*) dec "\${l#x }"; printf '%s\n' "$v" >&2; set -- ${b} false;;`,
    '  esac',
    `done < ${f}`,
  ];
}

/** The wrapper of step `c`: run as `busybox sh -c WRAPPER kiln-step ARGV…`. */
export function stepWrapper(c: PlanContainer, o: WrapperOptions = {}): string {
  // skipped before the Pod was made: it says so, and nothing else
  if (o.skip) return `printf '{"skipped":true}' > /dev/termination-log\n`;
  const d = `/tekton/steps/${c.containerName}`;
  const stopOnFailure = c.onError !== 'continue';
  const secs = c.timeoutMs && c.timeoutMs > 0 ? Math.ceil(c.timeoutMs / 1000) : 0;
  const lines = [
    'set -o pipefail',
    `d=${shQuote(d)}`,
    `if [ -e ${STOP_MARKER} ]; then printf '{"skipped":true}' > /dev/termination-log; exit 0; fi`,
    ...(o.gate ? gateLines(o.gate) : []),
    RESOLVE,
    runLine(c, secs > 0),
    'pid=$!',
  ];
  if (secs) {
    // the watchdog marks the step timed out, then stops it: TERM, and KILL after the grace
    lines.push(`( ${POD_BUSYBOX} sleep ${secs}; : > "$d/timedOut"; kill -TERM -$pid 2>/dev/null; ${POD_BUSYBOX} sleep ${STEP_GRACE_S}; kill -KILL -$pid 2>/dev/null ) </dev/null >/dev/null 2>&1 &`, 'w=$!');
  }
  lines.push('wait $pid; code=$?');
  if (secs) lines.push('kill -TERM $w 2>/dev/null');
  lines.push(
    // no line break: Tekton's exitCode file holds the number alone
    'printf %d $code > "$d/exitCode"',
    't=false; [ -e "$d/timedOut" ] && t=true',
    // a failure (a timeout too) stops the steps after it, unless onError: continue (as the process executor)
    ...(stopOnFailure ? [`if [ $code -ne 0 ] || [ $t = true ]; then : > ${STOP_MARKER}; fi`] : []),
    `printf '{"exitCode":%d,"timedOut":%s}' $code $t > /dev/termination-log`,
    'exit 0',
  );
  return `${lines.join('\n')}\n`;
}

/** A step's termination message parsed; undefined when it is not one of the wrapper's. */
export function parseTermination(message: string | undefined): StepTermination | undefined {
  if (!message) return undefined;
  try {
    const v = JSON.parse(message) as unknown;
    if (!v || typeof v !== 'object') return undefined;
    const o = v as Record<string, unknown>;
    const out: StepTermination = {};
    if (typeof o.exitCode === 'number') out.exitCode = o.exitCode;
    if (o.timedOut === true) out.timedOut = true;
    if (o.skipped === true) out.skipped = true;
    return out.exitCode !== undefined || out.skipped ? out : undefined;
  } catch {
    return undefined;
  }
}
