// Flow endpoints that cannot mean what they say are a 4xx naming the field, not a misleading trace.
import { describe, expect, it } from "vitest";
import { engineErrorOf } from "../../test/engine-error.js";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const base: ScenarioInput = { docker: { version: "20.10" }, containers: [{ name: "web", ports: ["8080:80"] }] };
const errorOf = (flow: Record<string, unknown>) => engineErrorOf(() => simulate(scenarioSchema.parse({ ...base, flows: [flow] })));

describe("flow input", () => {
  it("names /flows/N/family when a literal address is of the other family", () => {
    for (const flow of [
      { from: "web", to: "1.2.3.4:80", family: "ipv6" },
      { from: "external", to: "1.2.3.4:80", family: "ipv6" },
      { from: "fd00::5", to: "web:80", family: "ipv4" },
      { from: "external", to: "[fd00::2]:80", family: "ipv4" },
    ])
      expect(errorOf(flow).errors, JSON.stringify(flow)).toEqual([{ pointer: "/flows/0/family", message: expect.stringMatching(/family is ipv[46]/) }]);
  });

  it("refuses external -> localhost: it is the sender's own loopback, not the Docker host's", () => {
    const e = errorOf({ from: "external", to: "localhost:8080" });
    expect(e.status).toBe(422);
    expect(e.errors).toEqual([{ pointer: "/flows/0/to", message: expect.stringContaining('use "host:8080"') }]);
    expect(errorOf({ from: "198.51.100.9", to: "localhost:8080" }).errors[0]!.pointer).toBe("/flows/0/to");
    // the host's own localhost still works (docker-proxy or the OUTPUT DNAT)
    const ok = simulate(scenarioSchema.parse({ ...base, flows: [{ from: "host", to: "localhost:8080" }] }));
    expect(ok.traces[0]!.verdict).toBe("delivered");
  });

  it("refuses control characters and line breaks in flow names and endpoints (400 at the field)", () => {
    for (const [flow, pointer] of [
      [{ name: "a\nb", from: "external", to: "host:8080" }, "/flows/0/name"],
      [{ name: "bell\u0007", from: "external", to: "host:8080" }, "/flows/0/name"],
      [{ name: "ls\u2028", from: "external", to: "host:8080" }, "/flows/0/name"],
      [{ from: "external\r", to: "host:8080" }, "/flows/0/from"],
    ] as const) {
      const r = scenarioSchema.safeParse({ flows: [flow] });
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => `/${i.path.join("/")}`)).toEqual([pointer]);
    }
    expect(scenarioSchema.safeParse({ flows: [{ name: "web → db (ünïcode ok)", from: "web", to: "db:80" }] }).success).toBe(true);
  });
});
