import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { EngineError } from "../errors.js";
import { importCompose } from "./compose.js";
import { scenarioSchema, type ScenarioInput } from "./schema.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));

const COMPOSE = `
name: shop
services:
  web:
    image: nginx:1.27
    environment: { MODE: prod }
    volumes: ["./html:/usr/share/nginx/html:ro"]
    ports:
      - "8080:80"
      - target: 443
        published: "8443"
        host_ip: 127.0.0.1
        protocol: tcp
      - 5353:53/udp
    networks:
      front:
      back:
        priority: 10
    depends_on: [api]
  api:
    build: ./api
    command: ["serve"]
    scale: 2
    expose: ["9000"]
    depends_on:
      db: { condition: service_healthy }
  db:
    image: postgres
    networks:
      back:
        ipv4_address: 10.20.0.5
  tools:
    image: busybox
    network_mode: host
  debug:
    image: busybox
    profiles: [debug]
    ports: ["9999:9999"]
networks:
  front: {}
  back:
    internal: false
    driver_opts: { com.docker.network.bridge.enable_icc: "false" }
    ipam:
      config:
        - subnet: 10.20.0.0/24
          ip_range: 10.20.0.128/25
volumes:
  data: {}
x-extra: ignored
`;

const flows = [
  { name: "in", from: "external", to: "host:8080" },
  { name: "db from web", from: "shop-web-1", to: "shop-db-1:5432" },
  { name: "api from internet", from: "external", to: "shop-api-2:9000" },
];

describe("compose files", () => {
  it("become the networks and containers docker compose up creates, in its order", () => {
    const c = importCompose(COMPOSE, undefined, 0, 0, []);
    expect(c.networks.map((n) => n.name)).toEqual(["shop_back", "shop_default", "shop_front"]);
    expect(c.containers.map((x) => [x.name, x.network])).toEqual([
      ["shop-db-1", ["shop_back"]],
      ["shop-api-1", ["shop_default"]],
      ["shop-api-2", ["shop_default"]],
      ["shop-tools-1", "host"],
      ["shop-web-1", ["shop_back", "shop_front"]],
    ]);
    expect(c.containers[4]!.ports).toEqual(["8080:80", "127.0.0.1:8443:443/tcp", "5353:53/udp"]);
    expect(c.containers[0]!.ip).toBe("10.20.0.5");
    expect(importCompose(COMPOSE, "other", 0, 0, []).networks[0]!.name).toBe("other_back");
  });

  it("give the same rules and traces as the equivalent JSON and the equivalent commands", () => {
    const viaCompose = run({ docker: { version: "20.10" }, compose: COMPOSE, flows });
    const viaJson = run({
      docker: { version: "20.10" },
      networks: [
        { name: "shop_back", subnet: "10.20.0.0/24", "ip-range": "10.20.0.128/25", options: { "com.docker.network.bridge.enable_icc": "false" }, internal: false },
        { name: "shop_default" },
        { name: "shop_front" },
      ],
      containers: [
        { name: "shop-db-1", network: "shop_back", ip: "10.20.0.5" },
        { name: "shop-api-1", network: "shop_default", expose: ["9000"] },
        { name: "shop-api-2", network: "shop_default", expose: ["9000"] },
        { name: "shop-tools-1", network: "host" },
        { name: "shop-web-1", network: ["shop_back", "shop_front"], ports: ["8080:80", "127.0.0.1:8443:443/tcp", "5353:53/udp"] },
      ],
      flows,
    });
    const viaCommands = run({
      docker: { version: "20.10" },
      commands: [
        "docker network create --subnet 10.20.0.0/24 --ip-range 10.20.0.128/25 -o com.docker.network.bridge.enable_icc=false shop_back",
        "docker network create shop_default",
        "docker network create shop_front",
        "docker run -d --name shop-db-1 --network shop_back --ip 10.20.0.5 postgres",
        "docker run -d --name shop-api-1 --network shop_default --expose 9000 api",
        "docker run -d --name shop-api-2 --network shop_default --expose 9000 api",
        "docker run -d --name shop-tools-1 --network host busybox",
        "docker create --name shop-web-1 --network shop_back -p 8080:80 -p 127.0.0.1:8443:443/tcp -p 5353:53/udp nginx",
        "docker network connect shop_front shop-web-1",
        "docker start shop-web-1",
      ],
      flows,
    });
    for (const other of [viaJson, viaCommands]) {
      expect(other.rules.host!["iptables-save"]).toBe(viaCompose.rules.host!["iptables-save"]);
      expect(other.containers).toEqual(viaCompose.containers);
      expect(other.traces).toEqual(viaCompose.traces);
    }
    // icc is off on shop_back; a container address is not reachable from the internet
    expect(viaCompose.traces.map((t) => t.connects)).toEqual([true, false, false]);
  });
});

function failure(compose: string, extra: Partial<ScenarioInput> = {}) {
  try {
    run({ docker: { version: "20.10" }, compose, ...extra });
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { status: e.status, pointer: e.errors[0]!.pointer, message: e.errors[0]!.message };
  }
  throw new Error("no error");
}

describe("compose errors point into the compose file", () => {
  it("a YAML syntax error is a 400 with its line", () => {
    const e = failure("services:\n  web:\n    ports: [\n");
    expect(e.status).toBe(400);
    expect(e.pointer).toBe("/compose");
    expect(e.message).toMatch(/^YAML: .*line \d+/);
  });
  const cases: [string, string, RegExp][] = [
    ["services:\n  web:\n    image: x\n    mac_address: 02:42:ac:11:00:99\n", "/compose/services/web/mac_address", /not simulated.*\(line 4\)/],
    ["services:\n  web:\n    imagee: x\n", "/compose/services/web/imagee", /unknown service key "imagee" \(line 3\)/],
    ["services:\n  web:\n    ports: ['8080:80', 'nonsense']\n", "/compose/services/web/ports/1", /port/],
    ["services:\n  a:\n    ports: ['8080:80']\n  b:\n    ports: ['8080:80']\n", "/compose/services/b/ports/0", /port is already allocated/],
    ["services:\n  web:\n    networks: [nope]\n", "/compose/services/web/networks/0", /undefined network nope/],
    ["services:\n  a:\n    depends_on: [b]\n  b:\n    depends_on: [a]\n", "/compose/services/a/depends_on", /dependency cycle/],
    ["services:\n  a:\n    depends_on: [zz]\n", "/compose/services/a/depends_on/0", /undefined service "zz"/],
    ["services:\n  a:\n    network_mode: host\n    networks: [x]\nnetworks:\n  x: {}\n", "/compose/services/a/network_mode", /mutually exclusive/],
    ["services:\n  a:\n    network_mode: service:b\n  b: {}\n", "/compose/services/a/network_mode", /not simulated/],
    ["services:\n  a:\n    networks: [ext]\nnetworks:\n  ext:\n    external: true\n", "/compose/networks/ext/external", /declared as external, but could not be found/],
    ["services:\n  a:\n    networks: [n]\nnetworks:\n  n:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/33\n", "/compose/networks/n/ipam/config/0/subnet", /CIDR/],
    ["services:\n  a:\n    networks: [n]\nnetworks:\n  n:\n    driver: weave\n", "/compose/networks/n/driver", /.+/],
    ["services:\n  a:\n    scale: 2\n    container_name: fixed\n", "/compose/services/a/container_name", /unique/],
    ["servics:\n  a: {}\n", "/compose/servics", /unknown top-level key/],
  ];
  for (const [compose, pointer, message] of cases)
    it(pointer, () => {
      const e = failure(compose);
      expect(e.pointer).toBe(pointer);
      expect(e.message).toMatch(message);
    });
  it("variables take their defaults (the environment is empty)", () => {
    const r = run({ docker: { version: "20.10" }, compose: "services:\n  web:\n    image: nginx:${TAG}\n    ports: ['${PORT:-8080}:80']\n" });
    expect(r.containers[0]!.ports[0]!.hostPort).toBe(8080);
    expect(failure("services:\n  web:\n    ports: ['${PORT:?set PORT}:80']\n")).toMatchObject({ pointer: "/compose/services/web/ports/0", message: expect.stringMatching(/required variable PORT is missing a value: set PORT \(line 3\)/) });
  });
  it("an external network may be one of the scenario's JSON networks", () => {
    const r = run({ docker: { version: "20.10" }, networks: [{ name: "shared" }], compose: "services:\n  a:\n    networks: [ext]\nnetworks:\n  ext:\n    external: true\n    name: shared\n" });
    expect(r.containers[0]!.interfaces[0]!.network).toBe("shared");
  });
  it("the compose text has a size cap", () => {
    expect(scenarioSchema.safeParse({ compose: "#".repeat(70 * 1024) }).success).toBe(false);
  });
});

// Real docker-compose v1 (Debian 1.29.2) against the real 20.10 daemon (test/golden/capture,
// `docker-compose` lines): the same rules byte for byte and the same addresses. v1 names
// containers c01_web_1 where Compose v2 (and nfplay) say c01-web-1; networks are named alike.
describe("compose captured with docker-compose v1 on Docker 20.10", () => {
  const root = join(import.meta.dirname, "../../test/golden/compose-v1");
  for (const scenario of readdirSync(root)) {
    const dir = join(root, scenario, "01-up");
    it(scenario, () => {
      const project = /-p (\S+) up/.exec(readFileSync(join(dir, "commands.sh"), "utf8"))![1]!;
      const r = run({ docker: { version: "20.10.24" }, compose: readFileSync(join(root, scenario, "docker-compose.yml"), "utf8"), project });
      const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8"));
      let mine = r.rules.host!["iptables-save"];
      for (const n of r.networks) {
        const real = summary.networks.find((x: any) => x.name === n.name)?.bridge;
        if (real) mine = mine.replaceAll(n.bridge, real);
      }
      const real = readFileSync(join(dir, "iptables-save.txt"), "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n");
      expect(mine).toBe(real);
      const addrs = r.containers.flatMap((c) => c.interfaces.map((i) => `${c.name} ${i.network} ${i.ip} ${i.mac}`)).sort();
      const v1 = summary.containers.flatMap((c: any) => Object.entries<any>(c.networks).map(([n, e]) => `${c.name.replace(/_(\w+)_(\d+)$/, "-$1-$2")} ${n} ${e.ip} ${e.mac}`)).sort();
      expect(addrs).toEqual(v1);
    });
  }
});
