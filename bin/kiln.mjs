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
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
