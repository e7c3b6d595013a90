import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { restoreRuleset, type RestoreError } from "./restore.js";
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
    // Words checked against iptables-restore 1.8.9 (nf_tables) by test/kernel/errors.test.ts.
    const hint = "Try `iptables-restore -h' or 'iptables-restore --help' for more information.";
    expect(() => restoreRuleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT --bogus\nCOMMIT\n")).toThrow(
      `iptables-restore v1.8.9 (nf_tables): unknown option "--bogus"\nError occurred at line: 3\n${hint}`,
    );
    // A jump is resolved at COMMIT, and named with its line.
    expect(() => restoreRuleset("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOWHERE\nCOMMIT\n")).toThrow(
      `iptables-restore v1.8.9 (nf_tables): Chain 'NOWHERE' does not exist\nError occurred at line: 4\n${hint}`,
    );
    expect(() => restoreRuleset("*filter\n-A NOCHAIN -j ACCEPT\nCOMMIT\n")).toThrow("iptables-restore: line 2 failed: No chain/target/match by that name.");
    expect(() => restoreRuleset("*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n")).toThrow(
      "iptables-restore v1.8.9 (nf_tables): \nline 2: RULE_APPEND failed (Invalid argument): rule in chain INPUT",
    );
    expect(() => restoreRuleset("*filter\n-A INPUT -j ACCEPT\n")).toThrow("iptables-restore: COMMIT expected at line 3");
    expect(() => restoreRuleset("-A INPUT -j ACCEPT\n")).toThrow("iptables-restore: line 1 failed");
    const e = (() => {
      try {
        restoreRuleset("*filter\n\n-A INPUT -o eth0 -j ACCEPT\nCOMMIT\n");
      } catch (err) {
        return err as RestoreError;
      }
    })();
    expect(e?.line).toBe(3);
  });
});
