// The real `nfplay` bin, spawned as a user would run it (through the shebang, with the Node
// that `npm ci` installed first on PATH, as `npm test` and `npx` arrange).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nfplay, type Run } from "./run.js";

const SEED = "examples/seed.json";

/** A hung child must not outlive its test. */
function killAfter(child: ChildProcess, ms: number): NodeJS.Timeout {
  return setTimeout(() => child.kill("SIGKILL"), ms);
}

function expectResult(run: Run): Record<string, any> {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  // The contract's 2-space JSON, one trailing newline.
  expect(run.stdout).toMatch(/^\{\n  "id": /);
  expect(run.stdout.endsWith("}\n")).toBe(true);
  return JSON.parse(run.stdout);
}

describe("nfplay simulate", () => {
  it("simulates a file", async () => {
    const result = expectResult(await nfplay(["simulate", SEED]));
    expect(Object.keys(result)).toEqual(expect.arrayContaining(["id", "docker", "networks", "containers", "rules", "traces"]));
    expect(result.traces).toHaveLength(3);
  });

  it("prints the trace as xtables-monitor would with --format trace", async () => {
    const run = await nfplay(["simulate", "--format", "trace", SEED]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# flow: internet to web\n/);
    expect(run.stdout).toContain("filter:DOCKER:rule:1:ACCEPT  -4 -t filter -A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 8888 -j ACCEPT");
    expect((await nfplay(["simulate", "--format", "nope", SEED])).code).toBe(64);
  });

  it("simulates standard input", async () => {
    const result = expectResult(await nfplay(["simulate", "-"], readFileSync(SEED, "utf8")));
    expect(result.traces).toHaveLength(3);
  });

  it("prints the API's problem+json on stderr and exits 2 for a schema error", async () => {
    const run = await nfplay(["simulate", "-"], JSON.stringify({ containers: [{ name: "web", ports: ["80", 5] }] }));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    const problem = JSON.parse(run.stderr);
    expect(problem).toMatchObject({ status: 400, type: "https://nfplay.dev/problems/invalid-scenario" });
    expect(problem.errors.map((e: { pointer: string }) => e.pointer)).toEqual(["/containers/0/ports/1"]);
  });

  it("exits 2 for text that is not JSON", async () => {
    const run = await nfplay(["simulate", "-"], "{ nope");
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toMatchObject({ status: 400, type: "https://nfplay.dev/problems/invalid-json" });
  });

  it("exits 2 with the engine's 422 for an impossible scenario", async () => {
    const scenario = { containers: [{ name: "a", ports: ["8080:80"] }, { name: "b", ports: ["8080:80"] }] };
    const run = await nfplay(["simulate", "-"], JSON.stringify(scenario));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toMatchObject({ status: 422 });
  });

  it("exits 2 with a 413 for input over the API's body limit", async () => {
    const run = await nfplay(["simulate", "-"], JSON.stringify({ commands: ["x".repeat(200_000)] }));
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toMatchObject({ status: 413 });
  });

  it("terminates the engine thread at --timeout and exits 3", async () => {
    // 1 ms is less than the thread needs to even load the engine, so the timeout always wins:
    // the process exits only because terminate() stopped the thread.
    const run = await nfplay(["simulate", "--timeout", "1", SEED]);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe("");
    expect(JSON.parse(run.stderr)).toMatchObject({ type: "https://nfplay.dev/problems/timeout" });
    expect(run.ms).toBeLessThan(10_000);
  });

  it("exits 64 on a usage error", async () => {
    const run = await nfplay(["simulate"]);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/usage: nfplay simulate/);
  });
});

describe("runInThread", () => {
  it("kills a runaway engine thread at the timeout", async () => {
    // The fixture process has no process.exit(): it ends only if the spinning thread is gone.
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "test/cli/fixtures/run-spin.ts", "300"], { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    const guard = killAfter(child, 20_000);
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    clearTimeout(guard);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ ok: false, timedOut: true });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
