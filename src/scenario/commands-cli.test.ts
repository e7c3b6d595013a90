// docker run flags that change what the simulation shows: --mac-address, --link, bridge names.
import { describe, expect, it } from "vitest";
import { engineErrorOf } from "../../test/engine-error.js";
import { simulate } from "../engine.js";
import { scenarioSchema, type ScenarioInput } from "./schema.js";

const run = (s: ScenarioInput) => simulate(scenarioSchema.parse({ docker: { version: "20.10" }, ...s }));
const errorOf = (s: ScenarioInput) => engineErrorOf(() => run(s));

describe("docker run --mac-address", () => {
  it("sets the MAC of the container's first interface (and 20.10's MAC-derived IPv6 on docker0)", () => {
    const r = run({ commands: ["dockerd --ipv6 --fixed-cidr-v6 fd00:d0::/64", "docker run -d --name web --mac-address 02:42:AC:11:00:99 nginx"] });
    const eth0 = r.containers[0]!.interfaces[0]!;
    expect(eth0).toMatchObject({ ip: "172.17.0.2", mac: "02:42:ac:11:00:99", ip6: "fd00:d0::242:ac11:99" });
    expect(eth0.hostVeth).toMatch(/^veth/);
  });
  it("is a 400 naming the flag for a malformed MAC", () => {
    const e = errorOf({ commands: ["docker run -d --mac-address 02:42:zz nginx"] });
    expect(e.errors).toEqual([{ pointer: "/commands/0", message: expect.stringContaining('--mac-address "02:42:zz"') }]);
  });
});

describe("docker run --link", () => {
  it("adds no rules with icc on (only /etc/hosts entries), so it is accepted", () => {
    const r = run({ commands: ["docker run -d --name db redis", "docker run -d --name web --link db:db nginx"] });
    expect(r.containers.map((c) => c.name)).toEqual(["db", "web"]);
  });
  it("is a 422 naming --link with --icc=false (the linked container's exposed ports come from its image)", () => {
    const e = errorOf({ commands: ["dockerd --icc=false", "docker run -d --name db redis", "docker run -d --name web --link db nginx"] });
    expect(e.status).toBe(422);
    expect(e.errors).toEqual([{ pointer: "/commands/2", message: expect.stringContaining("--link with --icc=false") }]);
    // on a user-defined network a link is a DNS alias: no rules, accepted
    expect(run({ daemon: { icc: false }, commands: ["docker network create app", "docker run -d --network app --name db redis", "docker run -d --network app --link db nginx"] }).containers).toHaveLength(2);
  });
});

describe("bridge names", () => {
  it("refuses com.docker.network.bridge.name longer than the kernel's 15 characters", () => {
    const e = errorOf({ commands: ["docker network create -o com.docker.network.bridge.name=br-waytoolongname app"] });
    expect(e.status).toBe(422);
    expect(e.errors[0]!.message).toContain("at most 15 characters");
    expect(run({ commands: ["docker network create -o com.docker.network.bridge.name=br-exactly15chr app"] }).networks.find((n) => n.name === "app")!.bridge).toBe("br-exactly15chr");
  });
});
