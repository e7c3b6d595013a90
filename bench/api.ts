// Throughput of POST /simulate on a running server (it starts nothing itself):
//   npm start            # in one shell
//   npm run bench        # in another; BENCH_URL, BENCH_SECONDS, BENCH_CONNECTIONS to change
// Loopback only and bounded in time: a load test never leaves this machine.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const url = new URL(process.env.BENCH_URL ?? "http://127.0.0.1:8787/simulate");
const seconds = Math.min(Number(process.env.BENCH_SECONDS ?? "10"), 60);
const connections = Number(process.env.BENCH_CONNECTIONS ?? "2");
const body = readFileSync(process.env.BENCH_BODY ?? "examples/seed.json", "utf8");

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/;
if (!LOOPBACK.test(url.hostname)) {
  console.error(`bench: refusing ${url.hostname}: only loopback targets are allowed`);
  process.exit(64);
}

const result = await autocannon({
  url: url.href,
  method: "POST",
  headers: { "content-type": "application/json" },
  body,
  duration: seconds,
  connections,
});

const summary = {
  url: url.href,
  seconds,
  connections,
  requests: result.requests.total,
  reqPerSec: result.requests.average,
  latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
};
console.log(JSON.stringify(summary, null, 2));
if (result.requests.total === 0 || result.non2xx > 0 || result.errors > 0) process.exitCode = 1;
