// The isolation promise: user scenarios run only in the sandbox worker. Bundling the API
// worker the way wrangler does and listing its inputs proves the engine is not in it.
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

async function bundleInputs(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    mainFields: ["module", "main"],
    external: ["cloudflare:*"],
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

describe("worker isolation", () => {
  it("keeps the engine out of the API worker", async () => {
    const inputs = await bundleInputs("src/api/index.ts");
    expect(inputs).toContain("src/api/index.ts");
    const engine = inputs.filter((f) => /^(src\/(engine|errors)\.ts|src\/(docker|netfilter|render)\/|workers\/)/.test(f));
    expect(engine).toEqual([]);
  });

  it("puts the engine in the sandbox worker", async () => {
    const inputs = await bundleInputs("workers/sandbox/index.ts");
    expect(inputs).toContain("src/engine.ts");
  });
});
