// Per-step cost of the confined step beside the previous sandbox, replayed alternately in one run:
// the same recorded no-op step as the previous sandbox ran it (root with its capabilities, host
// network), and confined — a network of its own or its attempt's joined — dropping to the step user
// with kiln-step-enter (one static exec that joins the namespaces too) or with setpriv (after
// busybox nsenter when joining), the fallback when no C compiler built the dropper.
import { openSync } from 'node:fs';
import type { SpawnTrace } from '../src/executor/process/launch.ts';
import { findDropper } from '../src/executor/process/dropper.ts';
import { DEFAULT_STEP_USER } from '../src/executor/process/executor.ts';
import { createWhich } from '../src/executor/process/host.ts';
import { startNetwork } from '../src/executor/process/network.ts';
import { enterLength, networkTools, runDirect } from './replay.ts';
import { median, type Row } from './taskrun.ts';

const now = () => performance.now();
const f = (ms: number) => `${ms.toFixed(1)} ms`;

/** A recorded bwrap step split into bwrap's own options (no network flags) and the step's argv (no drop prefix). */
function split(argv: readonly string[]): { head: string[]; step: string[] } {
  const a = argv.slice(enterLength(argv));
  const sep = a.indexOf('--');
  const head = a.slice(0, sep).filter((x) => x !== '--unshare-ipc' && x !== '--unshare-net');
  let step = a.slice(sep + 1);
  if (step[0]?.endsWith('setpriv') || step[0]?.startsWith('/proc/self/fd/')) step = step.slice(step.indexOf('--') + 1);
  return { head, step };
}

/** The previous sandbox: kiln's own network, no IPC/network namespace, no /tmp permissions, no drop to the step user. */
function previous(head: string[], step: string[]): string[] {
  return [...head.filter((x, i, all) => !(x === '--perms' || all[i - 1] === '--perms')), '--', ...step];
}

type Variant = 'prev' | 'ownOnly' | 'ownSetpriv' | 'joinedSetpriv' | 'ownDropper' | 'joinedDropper';

/**
 * Medians (ms) of each variant, taken in turns, and the median of each round's difference from the
 * previous sandbox (steadier than a difference of medians on a busy machine); the dropper's are
 * absent when it is not built or not usable here.
 */
export async function sandboxCost(trace: SpawnTrace, rounds: number): Promise<{ ms: Partial<Record<Variant, number>>; more: Partial<Record<Variant, number>>; dropper?: string; why?: string } | undefined> {
  const tools = networkTools();
  const which = createWhich();
  const setpriv = which('setpriv', process.env.PATH);
  if (!trace.argv[enterLength(trace.argv)]?.endsWith('bwrap') || !tools || !setpriv || !tools.privileged) return undefined;
  const net = await startNetwork(tools);
  const { head, step } = split(trace.argv);
  const user = DEFAULT_STEP_USER;
  const drop = [setpriv, `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--ambient-caps=-all', '--no-new-privs', '--'];
  const found = findDropper(user);
  const own = ['--unshare-ipc', '--unshare-net', '--'];
  const t = (argv: string[], fds?: SpawnTrace['fds']): SpawnTrace => ({ ...trace, argv, fds });
  const variants: Partial<Record<Variant, SpawnTrace>> = {
    prev: t(previous(head, step)),
    // where the own network's cost goes: its namespaces alone, still root, nothing dropped
    ownOnly: t([...head, ...own, ...step]),
    ownSetpriv: t([...head, ...own, ...drop, ...step]),
    joinedSetpriv: t([...net.enter, ...head, '--', ...drop, ...step]),
  };
  if (found.dropper && net.ns) {
    const ids = ['--uid', String(user.uid), '--gid', String(user.gid), '--'];
    // as the executor passes them: the dropper (kiln's descriptor; here reopened per run), the namespaces opened per container
    variants.ownDropper = t([...head, ...own, '/proc/self/fd/3', ...ids, ...step], [{ fd: 3, path: found.dropper.path }]);
    variants.joinedDropper = t([...head, '--', '/proc/self/fd/3', '--net-fd', '4', '--ipc-fd', '5', ...ids, ...step],
      [{ fd: 3, path: found.dropper.path }, { fd: 4, path: net.ns.net }, { fd: 5, path: net.ns.ipc }]);
  }
  const ms: Partial<Record<Variant, number[]>> = {};
  try {
    for (let i = 0; i < rounds; i++) {
      for (const [k, v] of Object.entries(variants) as [Variant, SpawnTrace][]) {
        const t0 = now();
        await runDirect(v);
        if (i > 0) (ms[k] ??= []).push(now() - t0);
      }
    }
  } finally {
    net.stop();
  }
  const medians = Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, median(xs)])) as Partial<Record<Variant, number>>;
  const more = Object.fromEntries(Object.entries(ms).map(([k, xs]) => [k, median(xs.map((x, i) => x - ms.prev![i]))])) as Partial<Record<Variant, number>>;
  return { ms: medians, more, dropper: found.dropper?.path, why: found.why };
}

/** The bench rows of {@link sandboxCost}. */
export function sandboxCostRows(cost: Awaited<ReturnType<typeof sandboxCost>>): Row[] {
  if (!cost) return [];
  const { prev, ownOnly, ownSetpriv, joinedSetpriv, ownDropper, joinedDropper } = cost.ms;
  const d = cost.more;
  const more = (x: number | undefined) => `${x! >= 0 ? '+' : '−'}${f(Math.abs(x!))}`;
  const rows: Row[] = [{ name: 'no-op step, previous sandbox (root with its capabilities, host network)', value: f(prev!), note: 'replayed alternately with the rows below; +/− is the median of each round\'s difference' }];
  rows.push({ name: '  network and IPC namespaces of its own alone (still root, nothing dropped)', value: f(ownOnly!), note: more(d.ownOnly) });
  if (ownDropper !== undefined && joinedDropper !== undefined) {
    rows.push(
      { name: '  confined, network of its own, kiln-step-enter drops to the step user', value: f(ownDropper), note: `${more(d.ownDropper)}; target ≤ 1 ms more` },
      { name: '  confined, joining its attempt network, kiln-step-enter joins and drops', value: f(joinedDropper), note: `${more(d.joinedDropper)}; the default with outside access` },
    );
  } else {
    rows.push({ name: '  confined with kiln-step-enter', value: 'skipped', note: cost.why ?? 'not usable here' });
  }
  rows.push(
    { name: '  confined, network of its own, setpriv (no compiler at install)', value: f(ownSetpriv!), note: more(d.ownSetpriv) },
    { name: '  confined, joining its attempt network, busybox nsenter + setpriv', value: f(joinedSetpriv!), note: more(d.joinedSetpriv) },
  );
  return rows;
}
