// Runs in Node before the workerd pool starts: bundles the sandbox worker, since Miniflare
// needs plain JS for auxiliary workers. Uses wrangler's own bundler (a dry-run deploy) so the
// tested bundle is the one that would ship.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { SANDBOX_BUILD } from "./sandbox-worker.ts";

export default function buildSandbox(): void {
  execFileSync(
    "wrangler",
    // --outdir is relative to the config file, hence absolute.
    ["deploy", "--dry-run", "-c", "workers/sandbox/wrangler.toml", "--outdir", resolve(SANDBOX_BUILD)],
    {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_HIDE_BANNER: "true" },
    },
  );
}
