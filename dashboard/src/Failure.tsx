// The failure at the top of a run page: which task and step, the exit code, the reason, the log tail.
import { conditionOf, type KObj } from './api.ts';
import { failedStep, logTail } from './explain.ts';
import { stripAnsi } from './logtext.ts';
import { useLog } from './Logs.tsx';

export function Failure({ run, task, taskrun }: { run: KObj; task?: string; taskrun?: KObj }) {
  const c = conditionOf(run);
  const step = failedStep(taskrun);
  const tc = taskrun ? conditionOf(taskrun) : undefined;
  return (
    <div className="failure" role="alert" data-testid="failure">
      <h2>Failed{task ? <> in task <b>{task}</b></> : ''}{step ? <> at step <b>{step.name}</b></> : ''}</h2>
      <p>
        {step?.exitCode !== undefined ? <>exit code <b>{step.exitCode}</b>{step.reason ? ` (${step.reason})` : ''} · </> : ''}
        {tc?.reason ?? c.reason}: {tc?.message || c.message}
      </p>
      {taskrun && <Tail tr={taskrun} step={step?.name} />}
    </div>
  );
}

function Tail({ tr, step }: { tr: KObj; step?: string }) {
  const log = useLog(tr.metadata.namespace ?? '', tr.metadata.name, false);
  const lines = logTail(log.lines, step, 15);
  if (!lines.length) return null;
  return <pre className="tail" data-testid="tail">{lines.map((l) => stripAnsi(l.line)).join('\n')}</pre>;
}
