// nfplay's traces against the kernel traces taken on a real Docker 20.10 host (oracle flows of
// scenarios b: userland proxy on, f1: proxy off): the same rules, in the same order, for the
// first packet and for the answer.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulate } from "../../src/engine.js";
import { scenarioSchema } from "../../src/scenario/schema.js";
import { parseGoldenTrace } from "../kernel/harness.js";
import { kernelLegs, ourLines } from "../kernel/compare.js";

const ROOT = join(import.meta.dirname, "docker-20.10");

interface Row {
  flow: string;
  client: string;
  sent: string;
  result: string;
}

function rows(scenario: string): Row[] {
  return readFileSync(join(ROOT, scenario, "traces", "index.tsv"), "utf8")
    .trim()
    .split("\n")
    .map((l) => {
      const [flow, client, sent, result] = l.split("\t");
      return { flow: flow!, client: client!, sent: sent!, result: result! };
    });
}

// The oracle's "ext" namespace is the gateway 203.0.113.1; "ctr:NAME" a container; "host" the host.
function flowOf(r: Row) {
  const [proto, to] = r.sent.split(" ");
  const from = r.client === "ext" ? "203.0.113.1" : r.client.replace(/^ctr:/, "");
  return { name: r.flow, from, to: to!, proto: proto as "tcp" | "udp" };
}

const SCENARIOS: Record<string, string[]> = {
  "b-publish-8543": [
    "docker run -d --name web -p 8543:8888 orc/busybox:latest sleep 1d",
    "docker run -d --name client orc/busybox:latest sleep 1d",
  ],
  "f1-userland-proxy-false": [
    "dockerd --userland-proxy=false",
    "docker run -d --name web -p 8543:8888 orc/busybox:latest sleep 1d",
    "docker run -d --name client orc/busybox:latest sleep 1d",
    "docker network create net1",
    "docker run -d --name web1 --network net1 -p 8080:80 -p 127.0.0.1:5353:53/udp orc/busybox:latest sleep 1d",
  ],
};

for (const [name, commands] of Object.entries(SCENARIOS)) {
  describe(`real kernel traces of ${name}`, () => {
    const flows = rows(name);
    const scenario = scenarioSchema.parse({
      docker: { version: "20.10.24" },
      commands,
      flows: flows.map(flowOf),
      // The oracle routes 172.16.0.0/12 to the docker host from outside, for direct-access flows.
    });
    const result = simulate(scenario);
    // Docker draws user bridge names at random: use the captured ones.
    const lastStep = readdirSync(join(ROOT, name)).filter((d) => /^\d\d-/.test(d)).sort().pop()!;
    const summary = JSON.parse(readFileSync(join(ROOT, name, lastStep, "summary.json"), "utf8"));
    const real = new Map<string, string>(summary.networks.filter((n: any) => n.bridge).map((n: any) => [n.name, n.bridge]));
    const rename = (lines: string[]) =>
      lines.map((l) => result.networks.reduce((acc, n) => acc.replaceAll(n.bridge, real.get(n.name) ?? n.bridge), l));
    flows.forEach((row, i) => {
      it(row.flow, () => {
        const trace = result.traces[i]!;
        const kernel = kernelLegs(trace, parseGoldenTrace(join(ROOT, name, "traces", `${row.flow}.txt`)));
        expect(rename(ourLines(trace.steps))).toEqual(kernel.forward);
        expect(rename(ourLines(trace.reply?.steps ?? []))).toEqual(kernel.reply);
        expect(trace.connects).toBe(row.result.startsWith("OK"));
      });
    });
  });
}
