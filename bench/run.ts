// `npm run bench`: every figure in one run on this machine, printed as ratios to the targets.
//  1. the engine (bench/engine.ts): seed scenario, and a synthetic host at half/full/double size;
//  2. the Linux kernel reproducing the seed flows in namespaces (root only), as a ratio;
//  3. POST /simulate through local workerd (wrangler dev on a loopback port), with autocannon.
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { runEngineBench, seedInput, TARGETS } from "./engine.js";
import { simulate } from "../src/engine.js";
import { scenarioSchema } from "../src/scenario/schema.js";

const engine = runEngineBench();
await kernelRatio(engine.seedMs!);
await apiThroughput();
summary(engine);

/** The figures in one place, each against its target. */
function summary(e: Record<string, number>): void {
  console.log("\nsummary (value / target; <= 1.00 meets a ceiling):");
  console.log(`  seed           ${e.seedMs!.toFixed(3)} ms        ${(e.seedMs! / TARGETS.seedMs).toFixed(2)} of ${TARGETS.seedMs} ms`);
  console.log(`  1000 ctrs      ${e.big1000Ms!.toFixed(0)} ms          ${(e.big1000Ms! / TARGETS.bigMs).toFixed(2)} of ${TARGETS.bigMs} ms`);
  console.log(`  1000 ctrs RSS  ${e.big1000RssMB!.toFixed(0)} MB peak     ${(e.big1000RssMB! / TARGETS.bigMB).toFixed(2)} of ${TARGETS.bigMB} MB (+${e.big1000MB!.toFixed(0)} MB over idle: ${(e.big1000MB! / TARGETS.bigMB).toFixed(2)})`);
  console.log(`  growth         500->1000 x${(e.big1000Ms! / e.big500Ms!).toFixed(2)}, 1000->2000 x${(e.big2000Ms! / e.big1000Ms!).toFixed(2)} (linear 2.00)`);
  if (e.kernelRatio !== undefined) console.log(`  kernel/engine  ${e.kernelRatio.toFixed(0)}x         ${(e.kernelRatio / 1000).toFixed(2)} of the 1000x floor (>= 1.00 meets it)`);
  if (e.apiReqPerSec !== undefined) console.log(`  API            ${e.apiReqPerSec.toFixed(0)} req/s, p99 ${e.apiP99Ms} ms`);
}

async function kernelRatio(seedMs: number): Promise<void> {
  const { kernelAvailable, runKernelFlow } = await import("../test/kernel/harness.js");
  const { topologyOf, kernelFlowOf } = await import("../test/kernel/scenario-topology.js").catch(() => ({ topologyOf: null, kernelFlowOf: null }));
  const avail = kernelAvailable();
  if (!avail.ok || !topologyOf || !kernelFlowOf) {
    console.log(`kernel reproduction: skipped (${avail.reason ?? "no topology helper"})`);
    return;
  }
  const input = seedInput as { flows: { from: string; to: string }[] };
  const result = simulate(scenarioSchema.parse(input));
  const t0 = performance.now();
  for (const f of input.flows) await runKernelFlow(topologyOf(result, true), kernelFlowOf(result, f));
  const kernelMs = performance.now() - t0;
  engine.kernelRatio = kernelMs / seedMs;
  console.log(`kernel reproduction of the seed's 3 flows in namespaces: ${kernelMs.toFixed(0)} ms = ${(kernelMs / seedMs).toFixed(0)}x the engine (target >= 1000x)`);
}

async function apiThroughput(): Promise<void> {
  const port = 8797;
  const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", WRANGLER_HIDE_BANNER: "true" };
  const dev = spawn("npx", ["wrangler", "dev", "-c", "wrangler.toml", "-c", "workers/sandbox/wrangler.toml", "--ip", "127.0.0.1", "--port", String(port)], { env, stdio: "ignore", detached: true });
  try {
    const up = await waitFor(`http://127.0.0.1:${port}/healthz`, 60_000);
    if (!up) return void console.log("API throughput: skipped (wrangler dev did not start)");
    let out: string;
    try {
      out = execFileSync(process.execPath, [...process.execArgv, "bench/api.ts"], {
        env: { ...process.env, BENCH_URL: `http://127.0.0.1:${port}/simulate`, BENCH_SECONDS: "10" },
        encoding: "utf8",
      });
    } catch (e) {
      // bench/api.ts exits 1 when a request failed; its figures (non-2xx, errors) still count.
      out = (e as { stdout?: string }).stdout ?? "";
      if (!out) throw e;
    }
    const r = JSON.parse(out);
    engine.apiReqPerSec = r.reqPerSec;
    engine.apiP99Ms = r.latencyMs.p99;
    console.log(`API through local workerd (wrangler dev, ${r.connections} connections, ${r.seconds} s): ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.non2xx} non-2xx, ${r.errors} errors`);
  } finally {
    try {
      process.kill(-dev.pid!, "SIGTERM");
    } catch {}
  }
}

async function waitFor(url: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}
