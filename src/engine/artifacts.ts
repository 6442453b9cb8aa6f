// Step artifacts (alpha): a step writes {"inputs":[{name, values}], "outputs":[…]} to
// $(step.artifacts.path); later steps read `$(steps.<s>.inputs.<name>)` / `outputs.<name>`,
// which Tekton replaces with the JSON of that artifact's `values`.

interface Artifact { name?: string; values?: unknown[]; buildOutput?: boolean }
interface Provenance { inputs?: Artifact[]; outputs?: Artifact[] }

/** Replacements for the artifacts earlier steps wrote (raw JSON text per step); bad JSON is reported. */
export function artifactReplacements(stepArtifacts: Readonly<Record<string, string>>): { strings: Map<string, string>; errors: string[] } {
  const strings = new Map<string, string>();
  const errors: string[] = [];
  for (const [step, text] of Object.entries(stepArtifacts)) {
    let doc: Provenance;
    try {
      doc = JSON.parse(text) as Provenance;
    } catch (e) {
      errors.push(`step "${step}" wrote artifacts that are not JSON: ${(e as Error).message}`);
      continue;
    }
    for (const dir of ['inputs', 'outputs'] as const) {
      for (const a of doc[dir] ?? []) {
        if (a?.name) strings.set(`steps.${step}.${dir}.${a.name}`, JSON.stringify(a.values ?? []));
      }
    }
  }
  return { strings, errors };
}

/** The TaskRun `status.artifacts` from the JSON a task wrote to $(artifacts.path); undefined if absent or not JSON. */
export function parseArtifacts(text: string | undefined): { inputs?: Artifact[]; outputs?: Artifact[] } | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = JSON.parse(text) as Provenance;
    if (!doc || typeof doc !== 'object') return undefined;
    return { inputs: doc.inputs, outputs: doc.outputs };
  } catch {
    return undefined;
  }
}
