import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));
const codes = (r: ReturnType<typeof run>) => (r.warnings ?? []).filter((w) => w.code === "flow-to-unpublished-host-port").map((w) => w.refs?.[0]?.flow);

// A --network host container's app listens in the host's namespace on its container ports
// (-p is discarded, --expose too is its own): a flow there is not an assumed host process.
describe("flow-to-unpublished-host-port and --network host containers", () => {
  const flows = [
    { name: "app", from: "external", to: "host:80" },
    { name: "exposed", from: "external", to: "host:9000" },
    { name: "nobody", from: "external", to: "host:9090" },
  ];
  it("commands: no warning for the container's own ports, one for a port nobody owns", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker run -d --name hh --network host -p 8080:80 --expose 9000 img"], flows });
    expect(r.traces.map((t) => t.connects)).toEqual([true, true, true]);
    expect(codes(r)).toEqual(["nobody"]);
  });
  it("JSON: the same with networkMode host", () => {
    const r = run({ docker: { version: "27" }, containers: [{ name: "hh", network: "host", ports: ["80"], expose: ["9000"] }], flows });
    expect(codes(r)).toEqual(["nobody"]);
  });
  it("a bridge container's unpublished port still warns", () => {
    const r = run({ docker: { version: "20.10" }, containers: [{ name: "web", expose: ["80"] }], flows: [flows[0]!] });
    expect(codes(r)).toEqual(["app"]);
  });
});
