// Byte-for-byte comparison with real Docker 20.10.24 (Debian docker.io) captures: each step's
// docker commands, replayed through nfplay, must give the iptables-save the daemon left.
// Only "#" lines differ (timestamps), and bridge names, which Docker draws at random.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema } from "../../src/scenario/schema.js";

const ROOT = join(import.meta.dirname, "docker-20.10");

interface Step {
  scenario: string;
  step: string;
  dir: string;
}

function steps(): Step[] {
  return readdirSync(ROOT).flatMap((scenario) =>
    readdirSync(join(ROOT, scenario))
      .filter((s) => /^\d\d-/.test(s))
      .sort()
      .map((step) => ({ scenario, step, dir: join(ROOT, scenario, step) })),
  );
}

/** Commands of this step and all earlier ones, with the daemon flags as a dockerd line. */
function commandsUpTo(all: Step[], target: Step): string[] {
  const lines: string[] = [];
  for (const s of all.filter((x) => x.scenario === target.scenario && x.step <= target.step)) {
    const text = readFileSync(join(s.dir, "commands.sh"), "utf8");
    for (const line of text.split("\n")) {
      const flags = /^# daemon flags: ?(.*)$/.exec(line);
      if (flags && lines.length === 0) lines.push(`dockerd ${flags[1]}`.trim());
      else if (line.trim() && !line.startsWith("#")) lines.push(line);
    }
  }
  return lines;
}

function realBridgeNames(dir: string): Map<string, string> {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
  return new Map(summary.networks.filter((n: any) => n.bridge).map((n: any) => [n.name, n.bridge]));
}

const ALL = steps();

describe("Docker 20.10 golden captures (iptables-save, byte for byte)", () => {
  it("has the captured steps", () => expect(ALL.length).toBeGreaterThanOrEqual(12));
  for (const s of ALL) {
    it(`${s.scenario}/${s.step}`, () => {
      const scenario = scenarioSchema.parse({ docker: { version: "20.10.24" }, commands: commandsUpTo(ALL, s) });
      const result = simulate(scenario);
      let ours = result.rules.host!["iptables-save"];
      const real = realBridgeNames(s.dir);
      for (const n of result.networks) ours = ours.replaceAll(n.bridge, real.get(n.name) ?? n.bridge);
      const expected = readFileSync(join(s.dir, "iptables-save.txt"), "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n");
      expect(ours).toBe(expected);
    });
  }
});
