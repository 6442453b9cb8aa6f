// Starting a Pipeline: a form built from its params (type, default, enum); workspaces bound to emptyDir.
import { useState } from 'react';
import { collection, request, TEKTON, type KObj } from './api.ts';

interface Param { name: string; type?: 'string' | 'array' | 'object'; default?: unknown; description?: string; enum?: string[] }

const text = (p: Param) => (p.default === undefined ? '' : p.type === 'array' ? (p.default as string[]).join('\n') : p.type === 'object' ? JSON.stringify(p.default, null, 2) : String(p.default));

/** The PipelineRun params from the form's texts; throws naming the param whose value is not valid. */
export function paramValues(params: Param[], values: Record<string, string>): { name: string; value: unknown }[] {
  return params.flatMap((p) => {
    const v = values[p.name] ?? text(p);
    if (v === '' && p.default !== undefined) return [];
    if (p.type === 'array') return [{ name: p.name, value: v.split('\n').filter((x) => x !== '') }];
    if (p.type === 'object') {
      try {
        return [{ name: p.name, value: JSON.parse(v) }];
      } catch {
        throw new Error(`param ${p.name}: expected a JSON object`);
      }
    }
    return [{ name: p.name, value: v }];
  });
}

export function StartForm({ pipeline }: { pipeline: KObj }) {
  const params: Param[] = pipeline.spec?.params ?? [];
  const workspaces: { name: string; optional?: boolean }[] = pipeline.spec?.workspaces ?? [];
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(params.map((p) => [p.name, text(p)])));
  const [error, setError] = useState('');
  const ns = pipeline.metadata.namespace ?? 'default';
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError('');
    try {
      const missing = params.filter((p) => p.default === undefined && !(values[p.name] ?? '').trim()).map((p) => p.name);
      if (missing.length) throw new Error(`param ${missing.join(', ')}: a value is required`);
      const run = await request<KObj>('POST', collection(TEKTON, 'pipelineruns', ns), {
        apiVersion: 'tekton.dev/v1', kind: 'PipelineRun',
        metadata: { generateName: `${pipeline.metadata.name}-run-`, namespace: ns },
        spec: { pipelineRef: { name: pipeline.metadata.name }, params: paramValues(params, values), workspaces: workspaces.map((w) => ({ name: w.name, emptyDir: {} })) },
      });
      location.hash = `#/runs/${encodeURIComponent(ns)}/${encodeURIComponent(run.metadata.name)}`;
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="panel start" onSubmit={submit} aria-label="Start the pipeline">
      <h2>Start</h2>
      {params.map((p) => {
        const id = `param-${p.name}`;
        const set = (v: string) => setValues({ ...values, [p.name]: v });
        return (
          <div key={p.name} className="field">
            <label htmlFor={id}><b>{p.name}</b> <span className="muted">{p.type ?? 'string'}{p.default === undefined ? ', required' : ''}</span></label>
            {p.enum?.length ? <select id={id} value={values[p.name]} onChange={(e) => set(e.target.value)}>{p.default === undefined && <option value="">choose…</option>}{p.enum.map((x) => <option key={x}>{x}</option>)}</select>
              : p.type === 'array' || p.type === 'object' ? <textarea id={id} rows={3} value={values[p.name]} onChange={(e) => set(e.target.value)} placeholder={p.type === 'array' ? 'one item per line' : '{"key": "value"}'} />
              : <input id={id} value={values[p.name]} onChange={(e) => set(e.target.value)} />}
            {p.description && <small className="muted">{p.description}</small>}
          </div>
        );
      })}
      {workspaces.length > 0 && <p className="muted">Workspaces {workspaces.map((w) => w.name).join(', ')} get an emptyDir each.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit">Start PipelineRun</button>
    </form>
  );
}
