import { describe, expect, it } from "vitest";
import { importCommands } from "./commands.js";

describe("docker command lines", () => {
  it("reads dockerd flags, network create and run", () => {
    const r = importCommands([
      "dockerd --userland-proxy=false --icc=false",
      "docker network create -o com.docker.network.bridge.enable_icc=false --subnet 10.5.0.0/24 app",
      "sudo docker run -dit --rm --name web --network app -p 8080:80 -p '127.0.0.1:53:53/udp' nginx:latest nginx -g 'daemon off;'",
      "docker run -d -p 8543:8888 image",
    ]);
    expect(r.daemon).toEqual({ "userland-proxy": false, icc: false });
    expect(r.networks).toEqual([{ name: "app", driver: "bridge", subnet: "10.5.0.0/24", options: { "com.docker.network.bridge.enable_icc": "false" } }]);
    expect(r.containers).toEqual([
      { name: "web", network: "app", ports: ["8080:80", "127.0.0.1:53:53/udp"] },
      { name: "image", ports: ["8543:8888"] },
    ]);
  });
  it("names an unknown flag and the line it is on", () => {
    expect(() => importCommands(["docker run --bogus x img"])).toThrow(/unknown flag: --bogus/);
    try {
      importCommands(["docker network create app", "docker run --frobnicate img"]);
    } catch (e: any) {
      expect(e.errors[0].pointer).toBe("/commands/1");
      expect(e.status).toBe(400);
    }
    expect(() => importCommands(["docker run img | tee x"])).toThrow(/shell operators/);
  });
  it("adds the network of docker network connect to the container", () => {
    const r = importCommands([
      "docker network create zeta",
      "docker run -d --name web -p 8080:80 img",
      "docker network connect zeta web",
      "docker network connect --alias w alpha web",
    ]);
    expect(r.containers).toEqual([{ name: "web", network: ["bridge", "zeta", "alpha"], ports: ["8080:80"] }]);
    expect(() => importCommands(["docker network connect net1 nobody"])).toThrow(/no container "nobody"/);
    expect(() => importCommands(["docker run --name h --network host img", "docker network connect n h"])).toThrow(/network mode host/);
    expect(() => importCommands(["docker run --name w img", "docker network connect --ip 10.0.0.5 n w"])).toThrow(/--ip is not supported/);
  });
  it("starts a created container (address, ports) at docker start, not at docker create", () => {
    const r = importCommands([
      "docker create --name late -p 8080:80 img",
      "docker run -d --name early img",
      "docker container create --name never img",
      "docker start -a late",
    ]);
    expect(r.containers.map((c) => c.name)).toEqual(["early", "late"]);
  });
});
