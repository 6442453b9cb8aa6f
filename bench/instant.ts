// An Executor whose steps take no time: every attempt succeeds on the next turn of the event
// loop. Benchmarks use it to measure what kiln itself costs per task (store, controllers, engine)
// without the 5–40 ms a sandboxed process takes, which would hide it.
import type { ContainerSnapshot, ExecutionHandle, ExecutionSnapshot, Executor } from '../src/executor/executor.ts';

/** The instant executor; `started()` counts the attempts it ran. */
export function createInstantExecutor(): Executor & { started(): number } {
  const handles = new Map<string, ExecutionHandle>();
  let count = 0;
  return {
    name: 'instant',
    check: () => [],
    start(plan, onChange) {
      count++;
      const at = new Date().toISOString();
      const logDir = `/nonexistent/${plan.id}`;
      const done = (c: { name: string; containerName: string }): ContainerSnapshot => ({
        name: c.name, containerName: c.containerName, phase: 'terminated', exitCode: 0, reason: 'Completed',
        startedAt: at, finishedAt: at, logFile: `${logDir}/${c.containerName}.log`,
      });
      const snap: ExecutionSnapshot = {
        id: plan.id, startedAt: at, finishedAt: at, logDir, results: {},
        steps: plan.steps.map(done), sidecars: plan.sidecars.map(done), outcome: { status: 'succeeded' },
      };
      const handle: ExecutionHandle = {
        id: plan.id,
        snapshot: () => structuredClone(snap),
        cancel() {},
        done: new Promise((resolve) => setImmediate(() => { resolve(structuredClone(snap)); onChange(); })),
      };
      handles.set(plan.id, handle);
      return handle;
    },
    get: (id) => handles.get(id),
    forget: (id) => { handles.delete(id); },
    notices: () => [],
    close: async () => {},
    started: () => count,
  };
}
