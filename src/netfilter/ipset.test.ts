import { describe, expect, it } from "vitest";
import { simulate, type EngineError } from "../engine.js";
import { scenarioSchema } from "../scenario/schema.js";
import { parseIPv4, parseIPv6 } from "../net/address.js";
import { ipsetTest, parseIpsetSave, type Dir } from "./ipset.js";
import { packet } from "./matches/test-packet.js";
import type { Packet } from "./types.js";

// The text real `ipset save` (7.17) printed for these sets.
const SAVED = `create a hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x6c59d94c
create n hash:net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0xcae255f8
add n 10.0.0.0/8
add n 10.1.0.0/16 nomatch
create ipp hash:ip,port family inet hashsize 1024 maxelem 65536 timeout 300 counters comment bucketsize 12 initval 0x13c73a49
add ipp 1.2.3.5,udp:53 timeout 99 packets 0 bytes 0
add ipp 1.2.3.4,tcp:80 timeout 299 packets 0 bytes 0 comment "x y"
create bp bitmap:port range 1-2000
add bp 80
add bp 100
create bi bitmap:ip range 10.0.0.0-10.0.0.255
add bi 10.0.0.5
create v6 hash:net family inet6 hashsize 1024 maxelem 65536 bucketsize 12 initval 0xe1a3e110
add v6 2001:db8::/32
create ipi hash:ip,port,ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x0bf2b431
add ipi 1.1.1.1,tcp:80,2.2.2.2
create ipn hash:ip,port,net family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x08ea3b67
add ipn 1.1.1.1,tcp:80,2.2.2.0/24
create ni hash:net,iface family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x38f7b7ef
add ni 10.0.0.0/8,physdev:eth1
add ni 10.0.0.0/8,eth0
create np hash:net,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x035ab261
add np 10.0.0.0/8,tcp:80
add np 10.0.0.0/8,icmp:echo-request
create l list:set size 8
add l a
add l n
`;

const store = parseIpsetSave(SAVED);
const test = (name: string, p: Packet, dirs: string) => ipsetTest(store, store.get(name)!, p, dirs.split(",") as Dir[]);

describe("ipset save", () => {
  it("reads every type ipset save prints", () => {
    expect([...store.sets.keys()]).toEqual(["a", "n", "ipp", "bp", "bi", "v6", "ipi", "ipn", "ni", "np", "l"]);
    expect(store.get("n")!.elements.map((e) => e.nomatch)).toEqual([false, true]);
  });

  it("answers lookups like the kernel", () => {
    const p = packet({ src: "10.0.0.5", dst: "1.2.3.4", dport: 80 });
    expect(test("bi", p, "src")).toBe(true);
    expect(test("bi", p, "dst")).toBe(false);
    expect(test("ipp", p, "dst,dst")).toBe(true);
    expect(test("bp", p, "dst")).toBe(true);
    expect(test("bp", { ...p, dport: 81 }, "dst")).toBe(false);
    expect(test("np", p, "src,dst")).toBe(true);
    expect(test("np", { ...p, proto: "icmp", icmpType: 8, sport: 0, dport: 0 }, "src,dst")).toBe(true);
    expect(test("np", { ...p, proto: "icmp", icmpType: 0, sport: 0, dport: 0 }, "src,dst")).toBe(false);
    expect(test("ni", p, "src,src")).toBe(true); // in eth0
    expect(test("ni", { ...p, in: "eth1", physIn: "eth1" }, "src,src")).toBe(false); // physdev elements: never from iptables
    const q = packet({ src: "1.1.1.1", dst: "2.2.2.2", sport: 80 });
    expect(test("ipi", q, "src,src,dst")).toBe(true);
    expect(test("ipn", { ...q, dst: parseIPv4("2.2.2.77") }, "src,src,dst")).toBe(true);
    expect(test("l", packet({ src: "10.9.9.9" }), "src")).toBe(true);
    expect(test("l", packet({ src: "10.1.9.9" }), "src")).toBe(false);
    expect(test("v6", { ...p, src: parseIPv6("2001:db8::1"), dst: parseIPv6("2001:db8::2") }, "src")).toBe(true);
    expect(test("v6", p, "src")).toBe(false); // an IPv4 packet is never in an inet6 set
  });

  it("names the line of an unknown type or a bad element", () => {
    expect(() => parseIpsetSave("create x hash:mac")).toThrow('line 1: unknown set type "hash:mac"');
    expect(() => parseIpsetSave("create x hash:ip\nadd x 1.2.3")).toThrow('line 2: "1.2.3" is not an IPv4 address');
    expect(() => parseIpsetSave("add x 1.2.3.4")).toThrow('line 1: set "x" does not exist');
    expect(() => parseIpsetSave("create x hash:ip\nadd x 1.2.3.4 nomatch")).toThrow('line 2: "nomatch" is not supported by hash:ip');
    expect(() => parseIpsetSave("create x bitmap:port range 1-100\nadd x 200")).toThrow("line 2: port \"200\" is outside the range of x");
    expect(() => parseIpsetSave("flush x")).toThrow('line 1: expected "create" or "add"');
    expect(() => parseIpsetSave("create l list:set\nadd l nosuch")).toThrow('line 2: set "nosuch" does not exist');
  });
});

describe("ipset-save in a scenario", () => {
  const run = (host: Record<string, string>) => () =>
    simulate(scenarioSchema.parse({ docker: { version: "20.10" }, rules: { host: { "iptables-save": "", ...host } } }));
  const pointerOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as EngineError).errors?.[0];
    }
    return null;
  };

  it("is a 400 naming the field and the line when it cannot be read", () => {
    const err = pointerOf(run({ "ipset-save": "create a hash:ip\nadd a 10.0.0.300\n" }));
    expect(err).toEqual({ pointer: "/rules/host/ipset-save", message: 'ipset v7.17: line 2: "10.0.0.300" is not an IPv4 address or network' });
  });

  it("makes the sets known to the rules; an unknown set fails the restore as iptables-restore does", () => {
    const rules = "*filter\n-A INPUT -m set --match-set a src -j DROP\nCOMMIT\n";
    expect(pointerOf(run({ "iptables-save": rules }))).toEqual({
      pointer: "/rules/host/iptables-save", message: "iptables-restore v1.8.9 (nf_tables): Set a doesn't exist.\n\nError occurred at line: 2\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.",
    });
    const r = run({ "iptables-save": rules, "ipset-save": "create a hash:ip\nadd a 198.51.100.7\n" })();
    expect(r.rules.host!["iptables-save"]).toContain("-A INPUT -m set --match-set a src -j DROP");
  });
});
