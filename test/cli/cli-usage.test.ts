// The CLI's own flags and its text-form errors, as a user meets them (regressions).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nfplay } from "./run.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("nfplay --help / --version", () => {
  it("prints help on stdout and exits 0 (it went to stderr)", async () => {
    for (const flag of ["--help", "-h"]) {
      const run = await nfplay([flag]);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/^usage: nfplay /);
    }
  });

  it("prints the version (it was a usage error)", async () => {
    for (const flag of ["--version", "-V"]) {
      const run = await nfplay([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`nfplay ${pkg.version}\n`);
    }
  });

  it("keeps usage errors on stderr with exit 64", async () => {
    const run = await nfplay(["frobnicate"]);
    expect(run.code).toBe(64);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(/^nfplay: unknown command "frobnicate"\nusage: /);
  });
});

describe("text-form errors", () => {
  it("carry the same errors[] as the API's 400 (they had none)", async () => {
    const run = await nfplay(["simulate", "-"], "docker run -d -p 8080:80 nginx\ncurl -s localhost:8080\n");
    expect(run.code).toBe(2);
    const p = JSON.parse(run.stderr);
    expect(p).toMatchObject({ status: 400, type: "https://nfplay.dev/problems/invalid-scenario-text" });
    expect(p.errors).toEqual([{ pointer: "", message: expect.stringMatching(/^line 2: /) }]);
    expect(p.detail).toBe(p.errors[0].message);
  });
});

describe("deterministic output", () => {
  it("prints the same bytes for the same scenario (the result id was a random nanoid)", async () => {
    const [a, b] = await Promise.all([nfplay(["simulate", "examples/seed.json"]), nfplay(["simulate", "examples/seed.json"])]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout).id).toMatch(/^[A-Za-z0-9_-]{21}$/);
  });

  it("keeps a format=html doc block passing after --update (data-nfplay-id changed every run)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nfplay-cli-"));
    const doc = join(dir, "doc.md");
    const scenario = '{"docker":{"version":"20.10"},"containers":[{"name":"web","ports":["8543:8888"]}],"flows":[{"from":"external","to":"host:8543"}]}';
    writeFileSync(doc, ["```nfplay format=html", scenario, "```", "", "```nfplay format=json", scenario, "```", ""].join("\n"));
    expect((await nfplay(["check", "--update", doc])).code).toBe(0);
    const run = await nfplay(["check", doc]);
    expect(run.stdout).toContain("2 passed, 0 failed, 0 invalid");
    expect(run.code).toBe(0);
  });
});

describe("nfplay url", () => {
  it("warns on stderr when the URL is longer than Cloudflare's 16 KB limit, and not otherwise", async () => {
    const small = await nfplay(["url", "examples/seed.json"]);
    expect(small.code).toBe(0);
    expect(small.stderr).toBe("");
    // Pseudo-random container names (a fixed LCG): deflate cannot squeeze them under 16 KB.
    let seed = 12345;
    const word = () => Array.from({ length: 100 }, () => (Math.floor((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 65536) % 36).toString(36)).join("");
    const containers = Array.from({ length: 250 }, (_, i) => ({ name: `c${word()}`, ports: [`${20000 + i * 13}:${1000 + ((i * 37) % 5000)}`] }));
    const flows = containers.slice(0, 64).map((c, i) => ({ name: `flow ${i} to ${c.name}`, from: "external", to: `host:${20000 + i * 13}` }));
    const big = await nfplay(["url", "-"], JSON.stringify({ containers, flows }));
    expect(big.code).toBe(0);
    expect(big.stdout.length).toBeGreaterThan(16 * 1024);
    expect(big.stderr).toMatch(/^nfplay: warning: this URL is \d+ bytes; Cloudflare accepts at most 16384/);
  });
});
