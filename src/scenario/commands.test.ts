import { describe, expect, it } from "vitest";
import { importCommands } from "./commands.js";

describe("docker command lines", () => {
  it("reads dockerd flags, network create and run as operations in order", () => {
    const r = importCommands([
      "dockerd --userland-proxy=false --icc=false",
      "docker network create -o com.docker.network.bridge.enable_icc=false --subnet 10.5.0.0/24 app",
      "sudo docker run -dit --rm --name web --network app -p 8080:80 -p '127.0.0.1:53:53/udp' nginx:latest nginx -g 'daemon off;'",
      "docker run -d -p 8543:8888 image",
    ]);
    expect(r.daemon).toEqual({ "userland-proxy": false, icc: false });
    expect(r.ops).toEqual([
      { op: "network create", at: "/commands/1", spec: { name: "app", driver: "bridge", subnet: "10.5.0.0/24", options: { "com.docker.network.bridge.enable_icc": "false" } } },
      { op: "create", at: "/commands/2", start: true, autoRemove: true, spec: { name: "web", network: "app", ports: ["8080:80", "127.0.0.1:53:53/udp"] } },
      { op: "create", at: "/commands/3", start: true, spec: { name: "image", ports: ["8543:8888"] } },
    ]);
  });
  it("names an unknown flag and the line it is on", () => {
    expect(() => importCommands(["docker run --bogus x img"])).toThrow(/unknown flag: --bogus/);
    try {
      importCommands(["docker network create app", "docker run --frobnicate img"]);
      expect.unreachable();
    } catch (e: any) {
      expect(e.errors[0].pointer).toBe("/commands/1");
    }
    expect(() => importCommands(["docker run img | tee x"])).toThrow(/shell operators/);
    expect(() => importCommands(["docker stop"])).toThrow(/requires at least 1 argument/);
    expect(() => importCommands(["docker stack deploy -c x.yml app"])).toThrow(/"docker stack deploy" is not supported yet/);
  });
  it("reads the lifecycle commands and their long forms", () => {
    const r = importCommands([
      "docker container create --name web -p 8080:80 img",
      "docker container start web",
      "docker network connect --ip 172.18.0.9 net1 web",
      "docker stop -t 1 web db",
      "docker container restart web",
      "docker kill web",
      "docker network disconnect -f net1 web",
      "docker container rm -f web",
      "docker rm db",
      "docker network rm net1 net2",
      "docker network remove net3",
    ]);
    expect(r.ops.map((o) => [o.op, o.at, "name" in o ? o.name : "container" in o ? `${o.network}/${o.container}` : "spec" in o ? o.spec.name : o.argv.join(" ")])).toEqual([
      ["create", "/commands/0", "web"], ["start", "/commands/1", "web"], ["connect", "/commands/2", "net1/web"],
      ["stop", "/commands/3", "web"], ["stop", "/commands/3", "db"], ["restart", "/commands/4", "web"], ["kill", "/commands/5", "web"],
      ["disconnect", "/commands/6", "net1/web"], ["rm", "/commands/7", "web"], ["rm", "/commands/8", "db"],
      ["network rm", "/commands/9", "net1"], ["network rm", "/commands/9", "net2"], ["network rm", "/commands/10", "net3"],
    ]);
    expect(r.ops[2]).toMatchObject({ ip: "172.18.0.9" });
    expect(r.ops[7]).toMatchObject({ op: "disconnect", force: true });
    expect(r.ops[8]).toMatchObject({ op: "rm", force: true });
    expect(r.ops[9]).toMatchObject({ op: "rm", force: false });
    expect(r.ops[0]).toMatchObject({ start: false });
  });
});

describe("docker CLI syntax (review R2)", () => {
  it("reads pflag shorthands with attached values: -p8080:80, -eFOO=bar, -dp8080:80, --name=web", () => {
    const r = importCommands(["docker run -dit -p8080:80 -eFOO=bar --name=web nginx", "docker run -dp9090:90 -p=7070:70 --name db nginx"]);
    expect(r.ops).toEqual([
      { op: "create", at: "/commands/0", start: true, spec: { name: "web", ports: ["8080:80"] } },
      { op: "create", at: "/commands/1", start: true, spec: { name: "db", ports: ["9090:90", "7070:70"] } },
    ]);
    expect(() => importCommands(["docker run -dx nginx"])).toThrow(/unknown shorthand flag: 'x' in -dx/);
  });

  it("refuses container names Docker refuses (non-ASCII, punctuation)", () => {
    expect(() => importCommands(["docker run --name wéb nginx"])).toThrow(/Invalid container name \(wéb\)/);
    expect(() => importCommands(["docker run --name -web nginx"])).toThrow(/unknown shorthand|Invalid container name/);
    expect(() => importCommands(["docker run --name we:b nginx"])).toThrow(/Invalid container name \(we:b\)/);
  });
});
