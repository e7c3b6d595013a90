import { it } from "vitest";
import { simulate } from "./engine.js";
import { scenarioSchema } from "./scenario/schema.js";
import { EngineError } from "./errors.js";
const cases: any[] = [
  { commands: ["docker network create --subnet 10.0.0.0/33 app"] },
  { commands: ["docker network create --subnet 300.0.0.0/8 app"] },
  { commands: ["docker network create --subnet foo app"] },
  { commands: ["docker network create --subnet 10.0.0.0/24 --gateway 10.0.0.999 app"] },
  { commands: ["docker network create --subnet 10.0.0.0/24 --ip-range 10.0.0.0/40 app"] },
  { commands: ["docker network create --ipv6 --subnet fd00::/129 app"] },
  { commands: ["docker run -p 1.2.3.999:80:80 nginx"] },
  { containers: [{ name: "a", ports: ["1.2.3.999:80:80"] }] },
  { commands: ["docker network create --subnet 10.0.0.0/24 app", "docker run --network app --ip 10.0.0.300 nginx"] },
  { commands: ["docker network create --ipv6 --subnet fd00::/64 app", "docker run --network app --ip6 fd00::zz nginx"] },
  { commands: ["dockerd --bip 10.0.0.1/40"] },
  { commands: ["dockerd --fixed-cidr 10.0.0.0/40"] },
  { commands: ["dockerd --ip 1.2.3.999"] },
  { commands: ["dockerd --mtu abc"] },
  { commands: ["dockerd --default-address-pool base=10.0.0.0/40,size=24"] },
  { compose: "services:\n  web:\n    image: nginx\n    networks: [a]\nnetworks:\n  a:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/33\n" },
  { compose: "services:\n  web:\n    image: nginx\n    networks:\n      a:\n        ipv4_address: 10.0.0.999\nnetworks:\n  a:\n    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n          gateway: 10.0.0.300\n" },
  { compose: "services:\n  web:\n    image: nginx\n    ports: ['1.2.3.999:80:80']\n" },
];
it("repro", () => {
  for (const c of cases) {
    const p = scenarioSchema.safeParse(c);
    if (!p.success) { console.log("ZOD", JSON.stringify(c).slice(0,90), p.error.issues.map(i=>i.path.join("/")+": "+i.message).join("; ")); continue; }
    try { simulate(p.data); console.log("OK?", JSON.stringify(c).slice(0,90)); }
    catch (e) { console.log(e instanceof EngineError ? e.status : "500!!", JSON.stringify(c).slice(0, 90), "=>", (e as Error).message.slice(0, 150)); }
  }
});
