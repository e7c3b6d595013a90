// Two projects in one `vitest run`: Node (engine units, golden, kernel, CLI, API helpers) and
// workerd (the API worker with the sandbox worker behind its service binding, test/api).
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { sandboxWorker } from "./test/api/sandbox-worker.ts";

export default defineConfig({
  test: {
    reporters: ["default", "./test/summary-reporter.ts"],
    projects: [
      {
        test: {
          name: "node",
          environment: "node",
          include: [
            "src/**/*.test.ts",
            "test/golden/**/*.test.ts",
            "test/kernel/**/*.test.ts",
            "test/cli/**/*.test.ts",
            // Against a real `wrangler dev` on loopback (and Chromium for the playground).
            "test/browser/**/*.test.ts",
          ],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Auxiliary workers take Miniflare options and pre-built JS: globalSetup bundles
            // the sandbox with wrangler, exactly as `wrangler deploy` would.
            miniflare: { workers: [sandboxWorker] },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/api/**/*.test.ts"],
          globalSetup: ["./test/api/global-setup.ts"],
        },
      },
    ],
  },
});
