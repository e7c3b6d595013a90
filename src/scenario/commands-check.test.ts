// Bad addresses in commands (and compose) are the user's fault: a 400/422 naming the line, the
// flag and the value, never an address parser's plain Error escaping as a 500.
import fc from "fast-check";
import { quote } from "shell-quote";
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { EngineError } from "../errors.js";
import { scenarioSchema, type ScenarioInput } from "./schema.js";

function errorOf(s: ScenarioInput): EngineError | null {
  try {
    simulate(scenarioSchema.parse(s));
    return null;
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
}

describe("addresses in commands", () => {
  const cases: [string[], string, RegExp][] = [
    [["docker network create --subnet 10.0.0.0/33 app"], "/commands/0", /--subnet "10\.0\.0\.0\/33": must be an IPv4 CIDR/],
    [["docker network create --subnet 300.0.0.0/8 app"], "/commands/0", /--subnet "300\.0\.0\.0\/8"/],
    [["docker network create --subnet foo app"], "/commands/0", /--subnet "foo"/],
    [["docker network create --subnet 10.0.0.0/24 --gateway 10.0.0.999 app"], "/commands/0", /--gateway "10\.0\.0\.999": must be an IPv4 address/],
    [["docker network create --subnet 10.0.0.0/24 --ip-range 10.0.0.0/40 app"], "/commands/0", /--ip-range "10\.0\.0\.0\/40"/],
    [["docker network create --ipv6 --subnet fd00::/129 app"], "/commands/0", /--subnet "fd00::\/129": must be an IPv6 CIDR/],
    [["docker run -p 1.2.3.999:80:80 nginx"], "/commands/0", /docker run -p "1\.2\.3\.999:80:80": has an invalid host IP address/],
    [["docker network create --subnet 10.0.0.0/24 app", "docker run --network app --ip 10.0.0.300 nginx"], "/commands/1", /--ip "10\.0\.0\.300"/],
    [["docker network create --ipv6 --subnet fd00::/64 app", "docker run --network app --ip6 fd00::zz nginx"], "/commands/1", /--ip6 "fd00::zz"/],
    [["docker network create --subnet 10.0.0.0/24 app", "docker run -d --name w nginx", "docker network connect --ip 10.0.0.256 app w"], "/commands/2", /10\.0\.0\.256/],
    [["dockerd --bip 10.0.0.1/40"], "/commands/0", /dockerd --bip "10\.0\.0\.1\/40"/],
    [["dockerd --fixed-cidr 10.0.0.0/40"], "/commands/0", /--fixed-cidr/],
    [["dockerd --ip 1.2.3.999"], "/commands/0", /dockerd --ip "1\.2\.3\.999"/],
    [["dockerd --mtu abc"], "/commands/0", /--mtu/],
    [["dockerd --default-address-pool base=10.0.0.0/40,size=24"], "/commands/0", /--default-address-pool base="10\.0\.0\.0\/40"/],
  ];
  it.each(cases)("%j -> 4xx at %s", (commands, pointer, message) => {
    const e = errorOf({ commands });
    expect(e?.status).toBeOneOf([400, 422]);
    expect(e!.errors).toEqual([{ pointer, message: expect.stringMatching(message) }]);
  });

  it("a JSON port or a compose port with a bad host address is a 4xx at the port", () => {
    const json = scenarioSchema.safeParse({ containers: [{ name: "a", ports: ["1.2.3.999:80:80", "[fd00::zz]:80:80"] }] });
    expect(json.error!.issues.map((i) => i.path.join("/"))).toEqual(["containers/0/ports/0", "containers/0/ports/1"]);
    const compose = "services:\n  web:\n    image: nginx\n    ports: ['1.2.3.999:80:80']\n";
    expect(errorOf({ compose })!.errors[0]!.pointer).toBe("/compose/services/web/ports/0");
  });
});

// Junk in every address-taking flag: an error the user can read (400/422), or a simulation.
describe("property: junk addresses never escape as anything but a 400/422", () => {
  const octet = fc.integer({ min: 0, max: 999 });
  const junk = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.tuple(octet, octet, octet, octet).map((o) => o.join(".")),
    fc.tuple(octet, octet, octet, octet, fc.integer({ min: -5, max: 200 })).map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`),
    fc.tuple(fc.constantFrom("fd00::", "fe80::1", "::", "2001:db8::zz", "fd00:::1", "1:2:3:4:5:6:7:8:9"), fc.integer({ min: 0, max: 300 })).map(([a, p]) => `${a}/${p}`),
    fc.constantFrom("10.0.0.0/8", "10.1.0.0/16", "10.1.0.5", "fd00::5", "0.0.0.0/0", "", "/", "1.2.3.4/", "::ffff:1.2.3.4"),
  );
  const at = (x: string) => quote([x]);
  const flags: [string, (x: string) => ScenarioInput][] = [
    ["network create --subnet", (x) => ({ commands: [`docker network create --subnet ${at(x)} app`] })],
    ["network create --gateway", (x) => ({ commands: [`docker network create --subnet 10.1.0.0/16 --gateway ${at(x)} app`] })],
    ["network create --ip-range", (x) => ({ commands: [`docker network create --subnet 10.1.0.0/16 --ip-range ${at(x)} app`] })],
    ["network create --ipv6 --subnet", (x) => ({ commands: [`docker network create --ipv6 --subnet 10.1.0.0/16 --subnet ${at(x)} app`] })],
    ["run --ip", (x) => ({ commands: ["docker network create --subnet 10.1.0.0/16 app", `docker run --network app --ip ${at(x)} nginx`] })],
    ["run --ip6", (x) => ({ commands: ["docker network create --ipv6 --subnet fd00::/64 app", `docker run --network app --ip6 ${at(x)} nginx`] })],
    ["run -p HOSTIP:", (x) => ({ commands: [`docker run -p ${at(`${x}:80:80`)} nginx`] })],
    ["network connect --ip", (x) => ({ commands: ["docker network create --subnet 10.1.0.0/16 app", "docker run -d --name w nginx", `docker network connect --ip ${at(x)} app w`] })],
    ["dockerd --bip", (x) => ({ commands: [`dockerd --bip ${at(x)}`] })],
    ["dockerd --fixed-cidr", (x) => ({ commands: [`dockerd --fixed-cidr ${at(x)}`] })],
    ["dockerd --ip", (x) => ({ commands: [`dockerd --ip ${at(x)}`], containers: [{ name: "w", ports: ["80:80"] }] })],
    ["dockerd --default-address-pool", (x) => ({ commands: [`dockerd --default-address-pool ${at(`base=${x},size=24`)}`], networks: [{ name: "n" }] })],
    ["compose ipam subnet", (x) => ({ compose: `services:\n  web:\n    image: nginx\n    networks: [a]\nnetworks:\n  a:\n    ipam:\n      config:\n        - subnet: ${JSON.stringify(x)}\n` })],
    ["compose ipv4_address", (x) => ({ compose: `services:\n  web:\n    image: nginx\n    networks:\n      a:\n        ipv4_address: ${JSON.stringify(x)}\nnetworks:\n  a:\n    ipam:\n      config:\n        - subnet: 10.1.0.0/16\n` })],
  ];
  it.each(flags)("%s", (_flag, scenario) => {
    fc.assert(
      fc.property(junk, (x) => {
        const e = errorOf(scenario(x));
        if (e) expect([400, 422]).toContain(e.status);
      }),
      { numRuns: 60 },
    );
  });
});
