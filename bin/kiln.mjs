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
// Cache compiled modules between runs (Node keeps it in its temp dir); saves most of start-up.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
