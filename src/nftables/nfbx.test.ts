import { it } from "vitest";
import { simulate } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
it("x", () => {
  const r = simulate(scenarioSchema.parse({ docker: { version: "29.7.2" }, daemon: { "firewall-backend": "nftables" }, host: { sysctl: { "net.ipv4.ip_forward": 1 } },
    commands: ["docker network create -o com.docker.network.bridge.name=br-dummy --subnet 192.168.0.0/24 dummy", "docker run -d --name ctr --network dummy -p 8080:80 nginx", "docker rm -f ctr", "docker network rm dummy"] }));
  console.log(r.rules.host!.nft);
});
