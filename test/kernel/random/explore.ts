// Exploration (not a test): run N random cases without stopping at the first disagreement.
//   npx tsx test/kernel/random/explore.ts SEED COUNT [filter-regex-on-problems]
import fc from "fast-check";
import { flowArb, flowTo, normalizeFlow, render, rulesetArb } from "./gen.js";
import { runCase } from "./run.js";

const seed = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 20);
const samples = fc.sample(fc.tuple(rulesetArb, flowArb), { seed, numRuns: count });
let bad = 0;
const t0 = performance.now();
for (const [i, [rs, f0]] of samples.entries()) {
  const f = normalizeFlow(f0);
  const text = render(rs);
  const r = await runCase(text, { from: f.from, to: flowTo(f), proto: f.proto });
  if (!r.ok) {
    bad++;
    console.log(`\n### case ${i} (${Math.round(r.ms)} ms)\n${r.report}`);
  } else console.log(`ok ${i} ${f.from}->${flowTo(f)}/${f.proto} ${Math.round(r.ms)}ms`);
}
console.log(`\nseed ${seed}: ${count} cases, ${bad} disagreements, ${Math.round((performance.now() - t0) / 1000)} s`);
