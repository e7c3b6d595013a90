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
});
