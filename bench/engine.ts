// Engine benchmark: the seed scenario, and a synthetic host (N containers x 2 published ports
// on 10 networks, N flows) at half, full and double size. Prints one run's figures as ratios.
import { simulate } from "../src/engine.js";
import { scenarioSchema, type Scenario } from "../src/scenario/schema.js";

const seed = scenarioSchema.parse({
  docker: { version: "20.10" },
  containers: [{ name: "web", ports: ["8543:8888"] }],
  flows: [
    { from: "external", to: "host:8543" },
    { from: "web", to: "198.51.100.7:443" },
    { from: "host", to: "localhost:8543" },
  ],
});

/** Built directly (not through the API schema, whose caps are smaller than this). */
export function synthetic(containers: number): Scenario {
  const networks = Array.from({ length: 10 }, (_, i) => ({ name: `net${i}`, driver: "bridge" as const }));
  const ctrs = Array.from({ length: containers }, (_, i) => ({
    name: `c${i}`, network: `net${i % 10}`, ports: [`${10000 + 2 * i}:80`, `${10001 + 2 * i}:443`],
  }));
  const flows = Array.from({ length: containers }, (_, i) => ({
    from: i % 2 ? `c${(i * 7) % containers}` : "external",
    to: i % 2 ? "198.51.100.7:443" : `host:${10000 + 2 * i}`,
    proto: "tcp" as const,
  }));
  return { docker: { version: "20.10" }, networks, containers: ctrs, flows };
}

function time(fn: () => void, runs: number): number {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) fn();
  return (performance.now() - t0) / runs;
}

function heapDuring(fn: () => unknown): { ms: number; peakMB: number } {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
  const t0 = performance.now();
  const r = fn();
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  void r;
  return { ms, peakMB: (peak - before) / 1048576 };
}

export function runEngineBench(): Record<string, number> {
  for (let i = 0; i < 50; i++) simulate(seed); // warm up the JIT
  const seedMs = time(() => simulate(seed), 500);
  console.log(`seed scenario (3 flows): ${seedMs.toFixed(3)} ms per simulate() (target <= 1 ms)`);
  const out: Record<string, number> = { seedMs };
  for (const n of [500, 1000, 2000]) {
    const s = synthetic(n);
    const r = heapDuring(() => simulate(s, { budget: 1e9 }));
    const rules = simulate(synthetic(n), { budget: 1e9 }).rules.host!["iptables-save"].split("\n").filter((l) => l.startsWith("-A")).length;
    console.log(`synthetic ${n} containers, ${rules} rules, ${n} flows: ${r.ms.toFixed(0)} ms, heap +${r.peakMB.toFixed(0)} MB`);
    out[`big${n}Ms`] = r.ms;
  }
  console.log(`growth: x2 size -> x${(out.big1000Ms! / out.big500Ms!).toFixed(2)} time, x${(out.big2000Ms! / out.big1000Ms!).toFixed(2)} time (linear = 2)`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) runEngineBench();
