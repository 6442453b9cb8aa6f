#!/usr/bin/env node
// kiln's entry point. The sources are TypeScript run directly by Node 24 (type stripping).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `kiln needs Node.js 24 or newer (this is ${process.version}).\n` +
      `Run it through npm so the project's node@24 is used: npx kiln …, or npm install first.\n`,
  );
  process.exit(70);
}
// `kiln serve` is a long-lived server: a young generation of 4 MiB semi-spaces keeps its peak memory
// far lower (1,000 GitOps Applications: 297 MiB instead of 455) at no measured cost in speed
// (docs/decisions/0021-serve-heap.md). V8 takes the flag only at start, so serve re-executes itself
// with it once, in the same process (same pid, signals and stdio); KILN_SERVE_NODE_FLAGS= turns it off.
const serveFlags = (process.env.KILN_SERVE_NODE_FLAGS ?? '--max-semi-space-size=4').split(/\s+/).filter(Boolean);
if (process.argv[2] === 'serve' && typeof process.execve === 'function' && !serveFlags.every((f) => process.execArgv.includes(f))) {
  // flags given to node by hand come after kiln's, so they win
  process.execve(process.execPath, [process.execPath, ...serveFlags, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
// Cache compiled modules between runs (Node keeps it in its temp dir); saves most of start-up.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
