import { describe, expect, it } from "vitest";
import { parseRule } from "./rule.js";

const spec = (...argv: string[]) => parseRule(argv).spec;

describe("rule parsing prints iptables-save's canonical form", () => {
  it("reorders Docker's argument order and adds the implicit -m tcp", () => {
    expect(spec("-p", "tcp", "-d", "0/0", "--dport", "8543", "-j", "DNAT", "--to-destination", "172.17.0.2:8888", "!", "-i", "docker0"))
      .toBe("! -i docker0 -p tcp -m tcp --dport 8543 -j DNAT --to-destination 172.17.0.2:8888");
    expect(spec("-m", "addrtype", "--dst-type", "LOCAL", "-j", "DOCKER", "!", "--dst", "127.0.0.0/8"))
      .toBe("! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER");
  });
  it("adds /32, masks networks and prints states in kernel order", () => {
    expect(spec("-s", "172.17.0.2", "-d", "10.1.2.3/8", "-j", "ACCEPT")).toBe("-s 172.17.0.2/32 -d 10.0.0.0/8 -j ACCEPT");
    expect(spec("-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT")).toBe("-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
    expect(spec("-m", "state", "--state", "ESTABLISHED,NEW,INVALID", "-j", "ACCEPT")).toBe("-m state --state INVALID,NEW,ESTABLISHED -j ACCEPT");
  });
  it("prints tcp flags, port ranges, multiport, comments and marks like iptables", () => {
    expect(spec("-p", "tcp", "--syn", "-j", "DROP")).toBe("-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP");
    expect(spec("-p", "udp", "!", "--sport", "1000:2000", "-j", "DROP")).toBe("-p udp -m udp ! --sport 1000:2000 -j DROP");
    expect(spec("-p", "tcp", "-m", "multiport", "--dports", "80,443,8000:8080", "-j", "ACCEPT")).toBe("-p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT");
    expect(spec("-m", "comment", "--comment", "allow web", "-j", "ACCEPT")).toBe('-m comment --comment "allow web" -j ACCEPT');
    expect(spec("-m", "comment", "--comment", "plain", "-j", "ACCEPT")).toBe("-m comment --comment plain -j ACCEPT");
    expect(spec("-j", "MARK", "--set-mark", "1")).toBe("-j MARK --set-xmark 0x1/0xffffffff");
    expect(spec("-p", "icmp", "--icmp-type", "echo-request", "-j", "ACCEPT")).toBe("-p icmp -m icmp --icmp-type 8 -j ACCEPT");
    expect(spec("-j", "REJECT")).toBe("-j REJECT --reject-with icmp-port-unreachable");
  });
  it("rejects what iptables rejects, naming the problem", () => {
    expect(() => spec("-m", "nosuch", "-j", "ACCEPT")).toThrow(/nosuch/);
    expect(() => spec("--dport", "80", "-j", "ACCEPT")).toThrow(/unknown option "--dport"/);
    expect(() => spec("-p", "udp", "-j", "REJECT", "--reject-with", "tcp-reset")).toThrow(/TCP RST/);
    expect(() => spec("-j", "DNAT", "--to-destination", "1.2.3.4:80")).toThrow(/Need TCP, UDP/);
    expect(() => spec("-s", "300.1.1.1", "-j", "ACCEPT")).toThrow(/not found/);
  });
});

describe("port ranges as iptables-nft 1.8.9 saves them (observed with iptables-save)", () => {
  it("turns a negated range from 0 into its complement and drops the full range", () => {
    expect(spec("-p", "tcp", "!", "--sport", ":1023", "-j", "ACCEPT")).toBe("-p tcp -m tcp --sport 1024:65535 -j ACCEPT");
    expect(spec("-p", "udp", "!", "--sport", "0:1023", "-j", "ACCEPT")).toBe("-p udp -m udp --sport 1024:65535 -j ACCEPT");
    expect(spec("-p", "tcp", "!", "--dport", "1024:", "-j", "ACCEPT")).toBe("-p tcp -m tcp ! --dport 1024:65535 -j ACCEPT");
    expect(spec("-p", "tcp", "!", "--sport", "1:1023", "-j", "ACCEPT")).toBe("-p tcp -m tcp ! --sport 1:1023 -j ACCEPT");
    expect(spec("-p", "tcp", "--dport", "0:65535", "-j", "ACCEPT")).toBe("-p tcp -m tcp -j ACCEPT");
    expect(spec("-p", "tcp", "--sport", "0:0", "-j", "ACCEPT")).toBe("-p tcp -m tcp --sport 0 -j ACCEPT");
  });
});
