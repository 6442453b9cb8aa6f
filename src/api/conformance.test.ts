// Every upstream Tekton example (../shared/conformance/tekton/examples/v1) is valid: loading it
// must give no errors and no unknown-field warnings. api/ is pure, so the files are read through
// process.getBuiltinModule here rather than an import of node:fs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from './errors.ts';
import { loadManifests } from './load.ts';
import { validateReferences } from './references.ts';

const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const url = process.getBuiltinModule('node:url');
const ROOT = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '../../../shared/conformance/tekton/examples/v1');

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(d.name) ? [p] : [];
  });
}

test('upstream Tekton examples load without errors or unknown-field warnings', async (t) => {
  if (!fs.existsSync(ROOT)) {
    t.skip('../shared not present (conformance examples live outside the repository)');
    return;
  }
  const files = yamlFiles(ROOT);
  assert.ok(files.length > 50, `only ${files.length} example files found under ${ROOT}`);
  const kinds = new Set<string>();
  for (const file of files) {
    await t.test(path.relative(ROOT, file), () => {
      const r = loadManifests(fs.readFileSync(file, 'utf8'), file, { strict: true });
      const problems = [...r.errors, ...r.warnings, ...validateReferences(r.objects).filter((e) => e.severity !== 'warning')].map(formatFieldError);
      assert.deepEqual(problems, []);
      assert.ok(r.objects.length > 0);
      for (const o of r.objects) kinds.add(o.object.kind);
    });
  }
  for (const kind of ['Task', 'TaskRun', 'Pipeline', 'PipelineRun']) assert.ok(kinds.has(kind), `no ${kind} among the examples`);
});
