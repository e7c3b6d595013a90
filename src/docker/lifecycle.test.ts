import { describe, expect, it } from "vitest";
import { simulate } from "../engine.js";
import { EngineError } from "../errors.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const run = (input: ScenarioInput) => simulate(scenarioSchema.parse(input));
const rules = (input: ScenarioInput) => run(input).rules.host!["iptables-save"];

function error(input: ScenarioInput): { status: number; pointer: string; message: string } {
  try {
    run(input);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { status: e.status, pointer: e.errors[0]!.pointer, message: e.errors[0]!.message };
  }
  throw new Error("no error");
}

describe("lifecycle errors name the command and use Docker's text", () => {
  const cases: [string[], number, RegExp][] = [
    [["docker stop nosuch"], 0, /^No such container: nosuch$/],
    [["docker run -d --name web img", "docker rm web"], 1, /^You cannot remove a running container web\. Stop the container before attempting removal or force remove$/],
    [["docker network create n1", "docker run -d --name web --network n1 img", "docker network rm n1"], 2, /^error while removing network: network n1 id [0-9a-f]{64} has active endpoints$/],
    [["docker network create n1", "docker run -d --name web img", "docker network disconnect n1 web"], 2, /^container web is not connected to network n1$/],
    [["docker create --name web img", "docker network disconnect bridge2 web"], 1, /^container web is not connected to the network bridge2$/],
    [["docker create --name web img", "docker kill web"], 1, /^Cannot kill container: web: Container web is not running$/],
    [["docker network rm nope"], 0, /^No such network: nope$/],
    [["docker network rm bridge"], 0, /^bridge is a pre-defined network and cannot be removed$/],
    [["docker run -d --name web img", "docker run -d --name web img"], 1, /^Conflict\. The container name "\/web" is already in use/],
    [["docker network create n1", "docker network create n1"], 1, /^network with name n1 already exists$/],
    [["docker run -d --name web --network nope img"], 0, /^network nope not found$/],
    [["docker network create n1", "docker create --name web --network n1 img", "docker network rm n1", "docker start web"], 3, /^network n1 not found$/],
    [["docker run -d --name a -p 8080:80 img", "docker run -d --name b -p 8080:80 img"], 1, /port is already allocated/],
    [["docker run -d --name web --network host img", "docker network connect bridge web"], 1, /^container cannot be disconnected from host network or connected to host network$/],
  ];
  for (const [commands, line, message] of cases)
    it(commands.join(" ; "), () => {
      const e = error({ docker: { version: "20.10" }, commands });
      expect(e).toMatchObject({ status: 422, pointer: `/commands/${line}` });
      expect(e.message).toMatch(message);
    });
});

describe("stop, start and rm free and take again what Docker does", () => {
  it("a stopped container's rules go, and come back at the end of their chains on start", () => {
    const base = ["docker run -d --name a -p 8080:80 img", "docker run -d --name b -p 8081:80 img"];
    const before = rules({ docker: { version: "20.10" }, commands: base });
    const after = rules({ docker: { version: "20.10" }, commands: [...base, "docker stop a", "docker start a"] });
    expect(after).not.toBe(before); // a's DNAT now follows b's
    const dnat = (t: string) => t.split("\n").filter((l) => l.includes("DNAT"));
    expect(dnat(before)[0]).toContain("--dport 8080");
    expect(dnat(after)[0]).toContain("--dport 8081");
    expect(run({ docker: { version: "20.10" }, commands: [...base, "docker stop a"] }).containers.map((c) => c.name)).toEqual(["b"]);
  });
  it("a restarted container takes the lowest free address and the next ephemeral port", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker run -d --name a -p 80 img", "docker run -d --name b img", "docker stop a", "docker run -d --name c img", "docker start a"] });
    const ip = (n: string) => r.containers.find((c) => c.name === n)!.interfaces[0]!.ip;
    expect([ip("b"), ip("c"), ip("a")]).toEqual(["172.17.0.3", "172.17.0.2", "172.17.0.4"]);
    expect(r.containers.find((c) => c.name === "a")!.ports[0]!.hostPort).toBe(32769);
  });
  it("docker run --rm: the container is gone once stopped, its name free again", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker run -d --rm --name web -p 8080:80 img", "docker stop web", "docker run -d --name web -p 8081:80 img"] });
    expect(r.containers.map((c) => [c.name, c.ports[0]!.hostPort])).toEqual([["web", 8081]]);
    expect(error({ docker: { version: "20.10" }, commands: ["docker run -d --rm --name web img", "docker stop web", "docker start web"] }).message).toBe("No such container: web");
  });
  it("a container disconnected from every network starts with its loopback only", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker create --name web -p 8080:80 img", "docker network disconnect bridge web", "docker start web"] });
    expect(r.containers).toMatchObject([{ name: "web", networkMode: "none", interfaces: [], ports: [] }]);
  });
  it("the commands log shows the deletions", () => {
    const r = run({ docker: { version: "20.10" }, commands: ["docker run -d --name a -p 8080:80 img", "docker rm -f a"] });
    expect(r.rules.host!.commands!.filter((c) => c.includes(" -D ") && !c.includes("DOCKER-USER"))).toEqual([
      "iptables --wait -t nat -D DOCKER -p tcp -d 0/0 --dport 8080 -j DNAT --to-destination 172.17.0.2:80 ! -i docker0",
      "iptables --wait -t filter -D DOCKER ! -i docker0 -o docker0 -p tcp -d 172.17.0.2 --dport 80 -j ACCEPT",
      "iptables --wait -t nat -D POSTROUTING -p tcp -s 172.17.0.2 -d 172.17.0.2 --dport 80 -j MASQUERADE",
    ]);
  });
});

// 23-29: the removal paths are derived from moby's source (delete what the setup added), not
// captured. Whatever a network or a container added must be gone after rm, in every family.
describe("removal paths of every family leave the daemon's own rules only", () => {
  for (const version of ["20.10", "26", "27", "28.1", "28.5", "29"]) {
    it(`Docker ${version}`, () => {
      const daemonOnly = rules({ docker: { version }, commands: ["dockerd --userland-proxy=false"] });
      const lived = rules({
        docker: { version },
        commands: [
          "dockerd --userland-proxy=false",
          "docker network create --internal inner",
          "docker network create -o com.docker.network.bridge.enable_icc=false app",
          "docker run -d --name web --network app -p 8080:80 -p 127.0.0.1:5353:53/udp img",
          "docker run -d --name db -p 5432:5432 img",
          "docker network connect inner db",
          "docker restart web",
          "docker network disconnect inner db",
          "docker rm -f web db",
          "docker network rm app inner",
        ],
      });
      // iptables-save keeps printing a table once used (28+ adds raw rules for 127.0.0.1 bindings)
      expect(lived.replace("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", "")).toBe(daemonOnly);
    });
    it(`Docker ${version}: stop then start gives the rules of a single run`, () => {
      const once = rules({ docker: { version }, commands: ["docker run -d --name web -p 8080:80 img"] });
      expect(rules({ docker: { version }, commands: ["docker run -d --name web -p 8080:80 img", "docker stop web", "docker start web"] })).toBe(once);
    });
  }
});

describe("JSON and commands describe the same end state", () => {
  const flows = [
    { name: "in", from: "external", to: "host:8080" },
    { name: "late", from: "external", to: "host:9090" },
  ];
  it("created and stopped containers have neither address nor ports", () => {
    const viaJson = run({
      docker: { version: "20.10" },
      networks: [{ name: "app" }],
      containers: [
        { name: "web", network: "app", ports: ["8080:80"] },
        { name: "late", ports: ["9090:90"], state: "created" },
        { name: "old", ports: ["7070:70"], state: "stopped" },
      ],
      flows,
    });
    const viaCommands = run({
      docker: { version: "20.10" },
      commands: [
        "docker network create app",
        "docker run -d --name web --network app -p 8080:80 img",
        "docker create --name late -p 9090:90 img",
        "docker run -d --name old -p 7070:70 img",
        "docker stop old",
      ],
      flows,
    });
    expect(viaCommands.rules.host!["iptables-save"]).toBe(viaJson.rules.host!["iptables-save"]);
    expect(viaCommands.containers).toEqual(viaJson.containers);
    expect(viaCommands.traces).toEqual(viaJson.traces);
    // nobody publishes 9090: the packet stays on the host
    expect(viaJson.traces.map((t) => t.deliveredTo?.namespace)).toEqual(["web", "host"]);
  });
  it("a JSON container in state created can be started by a later command", () => {
    const r = run({ docker: { version: "20.10" }, containers: [{ name: "late", ports: ["9090:90"], state: "created" }], commands: ["docker start late"] });
    expect(r.containers[0]!.ports).toEqual([{ hostIp: "0.0.0.0", hostPort: 9090, containerPort: 90, proto: "tcp" }]);
  });
});
