// Where a TaskRun's steps write JUnit reports in its workspaces: the annotation
// `cdevents.kiln.dev/junit-files` on the TaskRun or its Task, a comma- (or newline-) separated list
// of `<workspace>/<glob>` (as beneath /workspace when the workspace keeps its default mountPath):
// `source/reports/*.xml, source/build/test-results/**/TEST-*.xml`. `*` and `?` match within a
// name, a `**` component any number of directories. Pure: checked against the Task's workspaces.
import type { WorkspaceDeclaration } from './workspace.types.ts';

/** The annotation naming the workspace files that hold JUnit XML. */
export const ANNOTATION_JUNIT_FILES = 'cdevents.kiln.dev/junit-files';

/** One declared glob: beneath workspace `workspace`, `pattern` (relative, `/`-separated). */
export interface JUnitFileGlob {
  /** the entry as written */
  entry: string;
  workspace: string;
  pattern: string;
  /** how a match is shown: the workspace's mountPath, then the match */
  mountPath: string;
}

/** The declared globs, and one message per entry that cannot be honoured (naming the annotation and the entry). */
export interface JUnitFiles {
  globs: JUnitFileGlob[];
  errors: Array<{ entry: string; message: string }>;
}

/** The value of the annotation on the run (preferred) or its Task, if any. */
export function junitFilesAnnotation(...annotations: Array<Record<string, string> | undefined>): string | undefined {
  for (const a of annotations) {
    const v = a?.[ANNOTATION_JUNIT_FILES];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** Parses the annotation's `value` against the Task's declared workspaces. */
export function parseJUnitFiles(value: string, workspaces: readonly WorkspaceDeclaration[]): JUnitFiles {
  const out: JUnitFiles = { globs: [], errors: [] };
  const field = `metadata.annotations['${ANNOTATION_JUNIT_FILES}']`;
  for (const entry of value.split(/[,\n]/).map((e) => e.trim()).filter(Boolean)) {
    const fail = (why: string) => out.errors.push({ entry, message: `${field}: "${entry}": ${why}` });
    if (entry.startsWith('/')) {
      fail('must start with a workspace name, not "/" (e.g. "source/reports/*.xml")');
      continue;
    }
    const parts = entry.split('/').filter((p) => p !== '' && p !== '.');
    const [ws, ...rest] = parts;
    const decl = workspaces.find((w) => w.name === ws);
    if (!decl) fail(`no workspace "${ws}" is declared by the Task${workspaces.length ? ` (declared: ${workspaces.map((w) => w.name).join(', ')})` : ''}`);
    else if (rest.length === 0) fail('names no file beneath the workspace');
    else if (rest.includes('..')) fail('leaves its workspace (..)');
    else if (rest.filter((p) => p === '**').length > 1) fail('has more than one "**"');
    else if (rest[rest.length - 1] === '**') fail('ends with "**": name the files (e.g. "**/*.xml")');
    else out.globs.push({ entry, workspace: ws, pattern: rest.join('/'), mountPath: decl.mountPath ?? `/workspace/${ws}` });
  }
  return out;
}

/** A RegExp matching one path component against a glob component (`*`, `?`; others literal). */
export function componentMatcher(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`);
}
