// The remote driver against real Docker 20.10.24: fixtures/remote-20.10 was captured with
// test/golden/capture/capture.sh while fixtures/remote-20.10/plugin.py served the plugin API
// (its socket in /run/docker/plugins, every device and rule inside the capture's namespace).
// scenario.json declares the same plugin answers; nfplay must leave the same rules (Docker's own
// plus the plugin's, nothing for the network or the -p) and the same address, MAC and gateway.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../engine.js";
import { scenarioSchema } from "../../scenario/schema.js";

const DIR = join(import.meta.dirname, "fixtures/remote-20.10");
const scenario = scenarioSchema.parse(JSON.parse(readFileSync(join(DIR, "scenario.json"), "utf8")));

function captured(step: string, file: string): string {
  return readFileSync(join(DIR, step, file), "utf8");
}

const rules = (text: string) => text.split("\n").filter((l) => !l.startsWith("#")).join("\n");

describe("remote driver vs Docker 20.10 with a real plugin", () => {
  it("01-network: Docker's daemon rules plus the plugin's, none for the network", () => {
    const r = simulate({ ...scenario, containers: [], flows: [] });
    expect(r.rules.host!["iptables-save"]).toBe(rules(captured("01-network", "iptables-save.txt")));
  });

  it("02-run: no rule and no host port for -p 8080:80; the plugin's MAC, IPAM's address", () => {
    const r = simulate({ ...scenario, flows: [] });
    expect(r.rules.host!["iptables-save"]).toBe(rules(captured("02-run", "iptables-save.txt")));
    const real = JSON.parse(captured("02-run", "summary.json")).containers[0];
    expect(real.ports_actual).toEqual({});
    expect(r.containers[0]!.ports).toEqual([]);
    const e = real.networks.plugnet;
    const ours = r.containers[0]!.interfaces[0]!;
    expect([ours.ip, ours.mac, "10.9.0.1"]).toEqual([e.ip, e.mac, e.gateway]);
  });

  it("traces: out through the plugin's MASQUERADE; the -p is the host's own port", () => {
    const [out, published] = simulate(scenario).traces;
    expect(out!.connects).toBe(true);
    expect(out!.steps.map((s) => s.rule)).toContain("-A POSTROUTING -s 10.9.0.0/24 ! -o plug0 -j MASQUERADE");
    expect(published!.deliveredTo).toEqual({ namespace: "host", ip: "203.0.113.10", port: 8080 });
  });
});
