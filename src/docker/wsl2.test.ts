// WSL2 mirrored networking: a host with a `loopback0` interface. Windows' connections to
// 127.0.0.1 reach Linux through loopback0, so they meet nat PREROUTING (not OUTPUT, whose jump to
// DOCKER skips 127.0.0.0/8) and a published port's DNAT would send them to the container with
// source 127.0.0.1, which it cannot answer. dockerd (27.3+, 28.0.0, 28.x, 29.x with the userland
// proxy on) RETURNs them from nat DOCKER, so docker-proxy on the host answers; for ports bound to
// 127.0.0.1 (28+) raw PREROUTING lets loopback0 in before dropping everything but lo.
//
// Docker 29's nftables backend does the same in its own table: a RETURN in
// nat-prerouting-and-output, and an accept in raw-PREROUTING before the remote-loopback drop.
//
// A flow cannot start on loopback0 (every namespace's 127.0.0.0/8 is its own, and Windows is not
// modelled): the Windows packet is traced through the host's nat PREROUTING directly.
import { describe, expect, it } from "vitest";
import { buildDocker } from "./model.js";
import { buildWorld } from "./topology.js";
import { runTable } from "../netfilter/evaluate.js";
import { nftFilterChains, nftNatChains, runNatChains } from "../nftables/hooks.js";
import { runNftChain } from "../nftables/eval.js";
import { packet } from "../netfilter/matches/test-packet.js";
import { saveRuleset } from "../netfilter/save.js";
import { scenarioSchema, type ScenarioInput } from "../scenario/schema.js";

const INTERFACES = [
  { name: "eth0", address: "203.0.113.10/24", gateway: "203.0.113.1" },
  { name: "loopback0", address: "10.255.255.254/32" },
];

function host(version: string, wsl2: boolean, extra: Partial<ScenarioInput> = {}) {
  const docker = buildDocker(scenarioSchema.parse({
    docker: { version }, ...(wsl2 ? { host: { interfaces: INTERFACES } } : {}),
    networks: [{ name: "app", subnet: "172.30.0.0/16" }], containers: [{ name: "web", network: "app", ports: ["8080:80"] }], ...extra,
  }));
  return { docker, ns: buildWorld(docker, null).get("host") };
}

/** Windows -> 127.0.0.1:8080 through loopback0, in the host's nat PREROUTING. */
function windowsToLocalhost(version: string, wsl2: boolean, extra: Partial<ScenarioInput> = {}) {
  const { docker, ns } = host(version, wsl2, extra);
  const p = packet({ src: "127.0.0.1", dst: "127.0.0.1", dport: 8080, in: "loopback0" });
  const base = docker.ruleset.tables.get("nat")!.chains.get("PREROUTING")!;
  return runTable(docker.ruleset, "nat", "PREROUTING", base, { packet: p, ns, ctOrig: null, ctReply: null }, { left: 10_000 });
}

const RETURN = "-A DOCKER -d 127.0.0.0/8 -i loopback0 -j RETURN";

describe("WSL2 mirrored networking (a loopback0 host interface)", () => {
  for (const version of ["27.3.0", "27.5.1", "28.0.0", "28.5.2", "29.7.2"]) {
    it(`Docker ${version}: Windows' 127.0.0.1:8080 is RETURNed before the DNAT and stays for docker-proxy`, () => {
      const res = windowsToLocalhost(version, true);
      expect(res.hits.map((h) => h.rule)).toEqual(["-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER", RETURN, "-P PREROUTING ACCEPT"]);
      expect(res.nat).toBeUndefined();
      expect(res.packet.dst).toBe(packet({ dst: "127.0.0.1" }).dst);
    });

    it(`Docker ${version}: without loopback0 there is no such rule, and the same packet would be DNATed to the container`, () => {
      const res = windowsToLocalhost(version, false);
      expect(res.hits.map((h) => h.verdict)).toContain("DNAT");
      expect(saveRuleset(host(version, false).docker.ruleset)).not.toContain("loopback0");
    });
  }

  it("Docker 27.2 (before mirroredWSL2Workaround) has no such rule", () => {
    expect(saveRuleset(host("27.2.1", true).docker.ruleset)).not.toContain("loopback0");
  });

  it("with the userland proxy off nothing on the host would answer: no RETURN, the DNAT applies", () => {
    const res = windowsToLocalhost("28.5.2", true, { daemon: { "userland-proxy": false } });
    expect(res.hits.map((h) => h.rule)).not.toContain(RETURN);
    expect(res.hits.map((h) => h.verdict)).toContain("DNAT");
  });

  it("a port bound to 127.0.0.1 (28+): raw PREROUTING accepts loopback0 before the DROP of everything but lo", () => {
    const lo = { containers: [{ name: "web", network: "app", ports: ["127.0.0.1:8080:80"] }] };
    const save = saveRuleset(host("28.5.2", true, lo).docker.ruleset);
    const raw = save.slice(save.indexOf("*raw"), save.indexOf("COMMIT", save.indexOf("*raw")));
    const accept = raw.indexOf("-A PREROUTING -d 127.0.0.1/32 -i loopback0 -p tcp -m tcp --dport 8080 -j ACCEPT");
    expect(accept).toBeGreaterThan(0);
    expect(accept).toBeLessThan(raw.indexOf("-A PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8080 -j DROP"));
    expect(saveRuleset(host("28.5.2", false, lo).docker.ruleset)).not.toContain("loopback0");
  });
});

describe("WSL2 mirrored networking with Docker 29's nftables backend", () => {
  const NFT = { daemon: { "firewall-backend": "nftables" as const }, host: { sysctl: { "net.ipv4.ip_forward": 1 } } };
  const RETURN_NFT = 'iifname "loopback0" ip daddr 127.0.0.0/8 counter return';
  const fromWindows = () => packet({ src: "127.0.0.1", dst: "127.0.0.1", dport: 8080, in: "loopback0" });

  function nftHost(wsl2: boolean, extra: Partial<ScenarioInput> = {}) {
    const input = { ...NFT, ...extra, host: { ...NFT.host, ...(wsl2 ? { interfaces: INTERFACES } : {}) } };
    const { docker, ns } = host("29.7.2", wsl2, input);
    expect(saveRuleset(docker.ruleset)).not.toContain("loopback0"); // nothing in iptables
    return { nft: docker.nft!, ns };
  }

  /** Windows -> 127.0.0.1:8080 through the nat chains at PREROUTING (nat-PREROUTING, dstnat). */
  function natPrerouting(wsl2: boolean, extra: Partial<ScenarioInput> = {}) {
    const { nft, ns } = nftHost(wsl2, extra);
    const p = fromWindows();
    return runNatChains(null, 0, nftNatChains(nft, p, "PREROUTING"), { packet: p, ns, hook: "PREROUTING", ctOrig: null, ctReply: null }, { left: 10_000 });
  }

  it("Docker 29.7.2: Windows' 127.0.0.1:8080 is RETURNed from nat-prerouting-and-output before the DNAT", () => {
    const res = natPrerouting(true);
    expect(res.hits.map((h) => h.rule)).toEqual(["fib daddr type local counter jump nat-prerouting-and-output", RETURN_NFT, "policy accept"]);
    expect(res.nat).toBeUndefined();
    expect(res.packet.dst).toBe(fromWindows().dst);
  });

  it("without loopback0 the same packet is DNATed to the container", () => {
    const res = natPrerouting(false);
    expect(res.hits.map((h) => h.rule)).not.toContain(RETURN_NFT);
    expect(res.nat).toBeDefined();
    expect(res.hits.map((h) => h.rule).some((r) => r.includes("dnat to 172.30.0.2:80"))).toBe(true);
  });

  it("with the userland proxy off there is no RETURN: the DNAT applies", () => {
    const res = natPrerouting(true, { daemon: { ...NFT.daemon, "userland-proxy": false } });
    expect(res.hits.map((h) => h.rule)).not.toContain(RETURN_NFT);
    expect(res.nat).toBeDefined();
  });

  it("a port bound to 127.0.0.1: raw-PREROUTING accepts loopback0 before the DROP REMOTE LOOPBACK", () => {
    const lo = { containers: [{ name: "web", network: "app", ports: ["127.0.0.1:8080:80"] }] };
    const raw = (wsl2: boolean) => {
      const { nft, ns } = nftHost(wsl2, lo);
      const p = fromWindows();
      const [base, ...rest] = nftFilterChains(nft, p, "PREROUTING");
      expect(rest).toEqual([]);
      expect(base!.chain.name).toBe("raw-PREROUTING");
      return runNftChain(base!, { packet: p, ns, hook: "PREROUTING", ctOrig: null, ctReply: null }, { left: 10_000 });
    };
    const on = raw(true);
    expect(on.verdict).toBe("ACCEPT");
    expect(on.hits.map((h) => h.rule)).toEqual(['iifname "loopback0" ip daddr 127.0.0.1 tcp dport 8080 counter accept comment "ACCEPT WSL2 LOOPBACK"']);
    const off = raw(false);
    expect(off.verdict).toBe("DROP");
    expect(off.hits.map((h) => h.rule)).toEqual(['iifname != "lo" ip daddr 127.0.0.1 tcp dport 8080 counter drop comment "DROP REMOTE LOOPBACK"']);
  });
});
