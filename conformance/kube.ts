// The conformance files on the kubernetes executor, each TaskRun a Pod, against a stand-in cluster
// made here (no Kubernetes can be installed on this machine): a second `kiln serve` as the API
// server and the test pod runner as its one node (test/kube/cluster.ts: test code that plays the
// kubelet with podman, not a kubelet). The step images are the podman leg's stand-ins
// (conformance/images.ts, run first; conformance/images.tsv maps the digest-pinned references),
// the Pods' prepare and report containers run the stand-in busybox. The mapped stand-ins are also
// pushed to a registry on loopback (test/kube/registry-images.ts) and named by their tags there:
// the executor reads the entrypoint of a step naming no command from the image's registry. Runs
//   kiln conformance DIR --executor kubernetes --kubeconfig <stand-in> --images <that map> …
// writes the report (default docs/conformance-kubernetes.md) with, at its end, every file the
// podman leg passes (conformance/ratchet-podman.txt) that did not pass here, and prints those too.
// Usage: node conformance/kube.ts [DIR-or-FILE] [kiln conformance flags…]
//   (default DIR ../shared/conformance/tekton; exits with kiln's code)
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { podmanWith } from '../src/executor/podman/cli.ts';
import { podmanTestHost } from '../src/executor/podman/testimage.ts';
import { startStandInCluster } from '../test/kube/cluster.ts';
import { serveImages } from '../test/kube/registry-images.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
/** The stand-in busybox (static) the Pods' prepare and report containers run. */
export const TOOLS_IMAGE = 'localhost/kiln-conformance/busybox';
const REPORT = 'docs/conformance-kubernetes.md';
const PODMAN_RATCHET = join(ROOT, 'conformance/ratchet-podman.txt');

/** `| file | verdict | reason | message |` rows of a report written by `kiln conformance --report`. */
export function reportRows(markdown: string): Map<string, { verdict: string; reason: string; message: string }> {
  const rows = new Map<string, { verdict: string; reason: string; message: string }>();
  for (const line of markdown.split('\n')) {
    const cells = line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim().replace(/\\\|/g, '|'));
    if (cells.length === 4 && /^(PASS|FAIL|UNSUPPORTED)$/.test(cells[1])) rows.set(cells[0], { verdict: cells[1], reason: cells[2], message: cells[3] });
  }
  return rows;
}

/** The files of `ratchet` (the podman leg's passing files) that the report says did not pass, with why. */
export function notPassingHere(ratchet: string, markdown: string): string[] {
  const rows = reportRows(markdown);
  return ratchet.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && rows.has(l) && rows.get(l)!.verdict !== 'PASS')
    .map((f) => { const r = rows.get(f)!; return `${f}: ${r.verdict} (${r.reason}${r.message ? `: ${r.message}` : ''})`; });
}

function run(cmd: string, args: string[]): Promise<number> {
  const child = spawn(cmd, args, { stdio: 'inherit', cwd: ROOT });
  const forward = (s: NodeJS.Signals) => child.kill(s);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise<number>((r) => child.on('exit', (code, signal) => {
    process.off('SIGINT', forward).off('SIGTERM', forward);
    r(code ?? (signal ? 130 : 1));
  }));
}

async function main(args: string[]): Promise<number> {
  // kiln runs in the project's directory: the report names the files as the other legs' reports do
  const target = relative(ROOT, resolve(args[0] && !args[0].startsWith('-') ? args.shift()! : join(ROOT, '..', 'shared', 'conformance', 'tekton')));
  const base = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'kiln-conformance-kube-'));
  try {
    const host = podmanTestHost(base);
    if (host.skip) {
      console.error(`conformance (kubernetes): no stand-in cluster here: ${host.skip}`);
      return 3;
    }
    const images = spawnSync(process.execPath, [join(HERE, 'images.ts')], { stdio: 'inherit' });
    if (images.status !== 0) return images.status ?? 1;
    const podman = podmanWith(base);
    // the stand-ins also from a registry on loopback: the executor reads the entrypoint of a step
    // naming no command there (the runner finds the same names in local storage)
    const served = await serveImages(podman, join(ROOT, 'conformance/images.tsv'), join(base, 'images.tsv'));
    const cluster = await startStandInCluster({ dir: join(base, 'cluster'), podman }).catch(async (e) => { await served.stop(); throw e; });
    const report = resolve(args.includes('--report') ? args[args.indexOf('--report') + 1] : join(ROOT, REPORT));
    // what is compared below is this run's report, or none
    rmSync(report, { force: true });
    try {
      const code = await run(process.execPath, [
        join(ROOT, 'bin/kiln.mjs'), 'conformance', target, '--executor', 'kubernetes', '--kubeconfig', cluster.kubeconfig,
        '--tools-image', TOOLS_IMAGE, '--images', served.map, '--data-dir', join(base, 'kiln'),
        ...(args.includes('--report') ? [] : ['--report', REPORT]), ...args.map((a, i) => (args[i - 1] === '--report' ? report : a)),
      ]);
      if (existsSync(report) && existsSync(PODMAN_RATCHET)) {
        const text = readFileSync(report, 'utf8');
        // the report's first line names the command as run here, the stand-in cluster included
        writeFileSync(report, text.replace(`\`kiln conformance ${target}\``, `\`node conformance/kube.ts ${target}\` (\`kiln conformance ${target} --executor kubernetes --images conformance/images.tsv\`, each TaskRun a Pod of a stand-in cluster: kiln serve + the test pod runner)`)
          .replace(`\`${served.map}\``, '`conformance/images.tsv` (the stand-ins pushed to a registry on loopback)'));
        const missing = notPassingHere(readFileSync(PODMAN_RATCHET, 'utf8'), text);
        console.log(`kubernetes: ${missing.length} file(s) pass on podman (conformance/ratchet-podman.txt) but not here`);
        for (const m of missing) console.log(`  ${m}`);
        appendFileSync(report, ['', '## Passing on podman, not on kubernetes', '', `${missing.length} file(s) of conformance/ratchet-podman.txt:`, '', ...missing.map((m) => `- ${m}`), ''].join('\n'));
      }
      return code;
    } finally {
      await cluster.stop();
      await served.stop();
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
