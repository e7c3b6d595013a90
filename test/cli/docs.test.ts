// `nfplay check` on Markdown and scenario files, and the repo's own docs: docs/*.md must hold.
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nfplay } from "./run.ts";

const STORY = "docker-version 20.10\ndocker run -d --name web -p 8543:8888 image\nflow internet to web: external -> host:8543\n";
const page = (expected: string) => `# Story\n\n\`\`\`nfplay\n${STORY}\`\`\`\n\nOutput:\n\n\`\`\`text\n${expected}\n\`\`\`\n`;

async function tmp(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "nfplay-check-"));
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe("nfplay check on the docs", () => {
  it("every ```nfplay block of docs/*.md holds", async () => {
    const run = await nfplay(["check", "docs/*.md"]);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^ok {3}docs\/tutorial\.md:\d+/m);
    expect(run.stdout).toMatch(/\n\d+ passed, 0 failed, 0 invalid\n$/);
    expect(run.code).toBe(0);
  });
});

describe("nfplay check", () => {
  it("fails (exit 1) with a diff when the expected block is stale, and --update fixes it", async () => {
    const file = await tmp("story.md", page("internet to web (tcp): dropped"));
    const junit = join(file, "..", "junit.xml");
    const failed = await nfplay(["check", "--junit", junit, file]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("-internet to web (tcp): dropped\n  +internet to web (tcp): delivered to web 172.17.0.2:8888; connects");
    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="nfplay check" tests="1" failures="1" errors="0">/);
    expect(xml).toMatch(/<testcase classname="[^"]*story\.md" name="[^"]*story\.md:3" time="[\d.]+">\n {6}<failure message="the output differs from the expected block:">/);

    const updated = await nfplay(["check", "--update", file]);
    expect(updated.code).toBe(0);
    expect(await readFile(file, "utf8")).toBe(page("internet to web (tcp): delivered to web 172.17.0.2:8888; connects"));
    expect((await nfplay(["check", file])).code).toBe(0);
  });

  it("adds a missing expected block with --update", async () => {
    const file = await tmp("bare.md", `\`\`\`nfplay format=iptables-S\n${STORY}\`\`\`\n`);
    expect((await nfplay(["check", file])).code).toBe(1);
    expect((await nfplay(["check", "--update", file])).code).toBe(0);
    expect(await readFile(file, "utf8")).toMatch(/```\n\n```text\n# iptables -t filter -S\n-P INPUT ACCEPT\n[\s\S]*\n```\n$/);
  });

  it("exits 2 on a block that is not a valid scenario", async () => {
    const file = await tmp("bad.md", "```nfplay\n{\"containers\": \"web\"}\n```\n\n```text\n\n```\n");
    const run = await nfplay(["check", file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/ERROR .*bad\.md:1\n {2}The scenario does not match the schema: 1 field is invalid\n {4}\/containers: /);
  });

  it("checks a scenario file's expect, and re-checks under --docker-version", async () => {
    const scenario = {
      docker: { version: "20.10" },
      containers: [{ name: "web", ports: ["8543:8888"] }],
      flows: [{ name: "in", from: "external", to: "host:8543", expect: { verdict: "dropped" } }],
    };
    const file = await tmp("s.json", JSON.stringify(scenario));
    const run = await nfplay(["check", file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL /flows/0/expect/verdict: flow "in": expected verdict dropped, got delivered to web 172.17.0.2:8888; connects');
    scenario.flows[0]!.expect.verdict = "delivered";
    await writeFile(file, JSON.stringify(scenario));
    expect((await nfplay(["check", file])).code).toBe(0);
    expect((await nfplay(["check", "--docker-version", "27", file])).code).toBe(0);
    expect((await nfplay(["check", "--docker-version", "latest", file])).code).toBe(64);
  });
});

describe("nfplay simulate --format, diff, url", () => {
  it("renders svg, iptables-L and the text form of a scenario", async () => {
    const svg = await nfplay(["simulate", "--format", "svg", "--theme", "dark", "examples/seed.json"]);
    expect(svg.code).toBe(0);
    expect(svg.stdout).toMatch(/^<svg [\s\S]*--bg:#0d1117[\s\S]*<\/svg>\n$/);
    const l = await nfplay(["simulate", "--format", "iptables-L", "-"], STORY);
    expect(l.stdout).toContain("    1    60 DNAT       tcp  --  !docker0 *       0.0.0.0/0            0.0.0.0/0            tcp dpt:8543 to:172.17.0.2:8888");
  });

  it("diffs two scenarios (exit 1 when they differ) and one under two versions", async () => {
    const b = await tmp("b.json", JSON.stringify({ docker: { version: "20.10" }, daemon: { icc: false }, containers: [{ name: "web", ports: ["8543:8888"] }] }));
    const a = await tmp("a.json", JSON.stringify({ docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8543:8888"] }] }));
    const run = await nfplay(["diff", a, b]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^# a: Docker 20\.10\.24 {3}b: Docker 20\.10\.24\n--- a\/iptables-save\n\+\+\+ b\/iptables-save\n/);
    expect(run.stdout).toMatch(/^\+-A FORWARD -i docker0 -o docker0 -j DROP$/m);
    const same = await nfplay(["diff", "--versions", "20.10,20.10", "--format", "json", a]);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ same: true });
  });

  it("prints a versioned Kroki-style URL", async () => {
    const run = await nfplay(["url", "--base", "https://nfplay.example/", "examples/seed.json"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^https:\/\/nfplay\.example\/simulate\?format=svg&v=\d+\.\d+\.\d+&scenario=[A-Za-z0-9_-]+\n$/);
  });
});
