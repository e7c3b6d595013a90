import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restoreRuleset } from "./restore.js";
import { saveRuleset } from "./save.js";

const GOLDEN = join(import.meta.dirname, "../../test/golden/docker-20.10");

function captures(): string[] {
  return readdirSync(GOLDEN).flatMap((s) =>
    readdirSync(join(GOLDEN, s)).map((step) => join(GOLDEN, s, step, "iptables-save.txt")).filter((p) => existsSync(p)),
  );
}

const withoutComments = (t: string) => t.split("\n").filter((l) => !l.startsWith("#")).join("\n");

describe("iptables-restore -> iptables-save round trip", () => {
  it("is byte-identical for every real Docker capture", () => {
    const files = captures();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = withoutComments(readFileSync(f, "utf8"));
      expect(saveRuleset(restoreRuleset(text)), f).toBe(text);
    }
  });
  it("names the failing line", () => {
    expect(() => restoreRuleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\nCOMMIT\n")).toThrow(/line 3 failed/);
    expect(() => restoreRuleset("*filter\n-A INPUT -j ACCEPT\n")).toThrow(/COMMIT expected/);
    expect(() => restoreRuleset("-A INPUT -j ACCEPT\n")).toThrow(/line 1 failed/);
  });
});
