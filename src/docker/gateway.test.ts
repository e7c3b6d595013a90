import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { formatAddr } from "../net/address.js";
import { withCommands } from "../scenario/commands.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";
import { applyLifecycle } from "./lifecycle.js";
import { buildDocker } from "./model.js";
import { buildWorld } from "./topology.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));

// 20.10's gateway endpoint (epHeap.Less) carries the ports and the default route: captures
// test/golden/docker-20.10/g2-internal-first and g2-dual-stack-first pin the rules.
describe("the gateway endpoint carries the default route and docker-proxy's target", () => {
  const flows = [
    { name: "in", from: "external", to: "host:8080" },
    { name: "local", from: "host", to: "localhost:8080" },
    { name: "out", from: "web", to: "8.8.8.8:443" },
  ];
  const traces = (commands: string[]) => Object.fromEntries(run({ docker: { version: "20.10" }, commands, flows }).traces.map((t) => [t.name, t]));

  it("first network --internal, then a normal one: out through front, ports on front", () => {
    const t = traces([
      "docker network create --internal back",
      "docker network create front",
      "docker run -d --name web --network back -p 8080:80 img",
      "docker network connect front web",
    ]);
    expect(t.in).toMatchObject({ connects: true, deliveredTo: { namespace: "web", ip: "172.19.0.2", port: 80 } });
    expect(t.local).toMatchObject({ connects: true, deliveredTo: { namespace: "web", ip: "172.19.0.2", port: 80 } });
    expect(t.out).toMatchObject({ connects: true, deliveredTo: { namespace: "external" } });
    expect(t.out!.steps.find((s) => s.namespace === "host")?.packet).toMatchObject({ src: "172.19.0.2" });
  });

  it("only the internal network: no way out (the route stays on it)", () => {
    const t = traces(["docker network create --internal back", "docker run -d --name web --network back -p 8080:80 img"]);
    expect(t.out!.connects).toBe(false);
    expect(t.in!.deliveredTo?.namespace).not.toBe("web");
  });

  it("a dual-stack network comes before a v4-only one whatever the names", () => {
    const t = traces([
      "docker network create aa",
      "docker run -d --name web --network aa -p 8080:80 img",
      "docker network create --ipv6 --subnet fd00:1::/64 zz6",
      "docker network connect zz6 web",
    ]);
    expect(t.in).toMatchObject({ connects: true, deliveredTo: { namespace: "web", ip: "172.19.0.2" } });
    expect(t.out!.steps.find((s) => s.namespace === "host")?.packet).toMatchObject({ src: "172.19.0.2" });
  });
});

// `ip route` inside web, taken by a one-off run of capture.sh with an extra
// `nsenter -t PID -n ip route` (ctr-web-ip-route.txt beside the committed capture).
describe("default route vs Docker 20.10 (g2-internal-first)", () => {
  const dir = new URL("../../test/golden/docker-20.10/g2-internal-first/", import.meta.url);
  const realDefault = (step: string) => readFileSync(new URL(`${step}/ctr-web-ip-route.txt`, dir), "utf8").split("\n").find((l) => l.startsWith("default"))!.trim();
  const nfplayDefault = (commands: string[]) => {
    const scenario = withCommands(scenarioSchema.parse({ docker: { version: "20.10" }, commands }));
    const docker = buildDocker(scenario);
    applyLifecycle(docker, scenario, scenario.lifecycle);
    const web = buildWorld(docker, null, { scenario }).namespaces.get("web")!;
    const r = web.routes.find((x) => x.dst.prefix === 0 && typeof x.dst.addr === "number")!;
    return `default via ${formatAddr(r.via!)} dev ${r.dev}`;
  };
  const run1 = ["docker network create --internal back", "docker run -d --name web --network back -p 8080:80 img"];
  it("01-run: via back", () => expect(nfplayDefault(run1)).toBe(realDefault("01-run")));
  it("02-connect: via front", () => expect(nfplayDefault([...run1, "docker network create front", "docker network connect front web"])).toBe(realDefault("02-connect")));
});
