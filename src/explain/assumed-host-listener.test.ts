import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { CODE } from "./assumed-host-listener.js";

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse(s));

describe("flow-to-unpublished-host-port", () => {
  it("warns when a publish on an internal-only container leaves the host port to an assumed listener", () => {
    const r = run({
      networks: [{ name: "back", internal: true }],
      containers: [{ name: "db", network: "back", ports: ["5432:5432"] }],
      flows: [{ name: "is the db exposed?", from: "external", to: "host:5432" }],
    });
    expect(r.containers[0]!.ports).toEqual([]);
    expect(r.traces[0]).toMatchObject({ verdict: "delivered", deliveredTo: { namespace: "host", port: 5432 }, assumedListener: true });
    expect(r.warnings?.map((w) => w.code)).toContain(CODE);
  });

  it("warns for udp when only tcp is published", () => {
    const r = run({ containers: [{ name: "web", ports: ["8080:80"] }], flows: [{ from: "external", to: "host:8080", proto: "udp" }] });
    expect(r.warnings?.find((w) => w.code === CODE)?.refs).toEqual([{ namespace: "host", flow: "external -> host:8080/udp", port: "8080" }]);
  });

  it("does not warn when the port is published (the container answers) or the flow targets a container", () => {
    const r = run({
      containers: [{ name: "web", ports: ["8080:80"] }],
      flows: [{ from: "external", to: "host:8080" }, { from: "host", to: "web:9000" }],
    });
    expect(r.traces[0]!.assumedListener).toBeUndefined();
    expect(r.traces[1]!.assumedListener).toBe(true);
    expect(r.warnings?.some((w) => w.code === CODE) ?? false).toBe(false);
  });
});
