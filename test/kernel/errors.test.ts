// Error messages, differential: each bad (or tricky but valid) iptables command and
// iptables-restore input runs through the real iptables 1.8.9 (nf_tables) in a scratch network
// namespace and through nfplay's interpreter/restore. Both must agree on success or failure and
// print the same stderr, byte for byte (nothing in these messages varies between runs).
// Root + iptables-nft only; skipped loudly elsewhere.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyCommand } from "../../src/netfilter/interpreter.js";
import { splitLine } from "../../src/netfilter/quote.js";
import { restoreRuleset, RestoreError } from "../../src/netfilter/restore.js";
import { Ruleset } from "../../src/netfilter/ruleset.js";
import { kernelAvailable } from "./harness.js";

const avail = kernelAvailable();
if (!avail.ok) console.warn(`\n!!!! ERROR-MESSAGE KERNEL CASES SKIPPED: ${avail.reason}\n`);

type Tool = "iptables" | "ip6tables" | "iptables-restore" | "ip6tables-restore";

interface Case {
  tool: Tool;
  /** A command line (without the program) or the restore input. */
  input: string;
  /** iptables/ip6tables commands run first, on both sides (they must succeed). */
  setup?: string[];
  /** A known, explained difference: the case checks that it is still there. */
  exception?: string;
}

const ipt = (input: string, ...setup: string[]): Case => ({ tool: "iptables", input, setup });
const ip6 = (input: string, ...setup: string[]): Case => ({ tool: "ip6tables", input, setup });
const restore = (input: string): Case => ({ tool: "iptables-restore", input });
const restore6 = (input: string): Case => ({ tool: "ip6tables-restore", input });
const except = (c: Case, why: string): Case => ({ ...c, exception: why });

const CASES: Case[] = [
  // parse errors (userspace)
  ipt("-A INPUT --bogus"),
  ipt("-A NOCHAIN -j ACCEPT"),
  ipt("-A INPUT -j NOTARGET"),
  ipt("-A INPUT -p tcp --dport"),
  ipt("-A INPUT -j LOG --log-prefix"),
  ipt("-A"),
  ipt("-N"),
  ipt("-A INPUT -s 1.2.3.999 -j ACCEPT"),
  ipt("-A INPUT -p tcp --dport 99999 -j ACCEPT"),
  ipt("-A INPUT -p bogus -j ACCEPT"),
  ipt("-A INPUT -i averyveryverylongname0 -j ACCEPT"),
  ipt("-A INPUT -j ACCEPT -j DROP"),
  ipt("-A INPUT -p tcp -p udp"),
  ipt("-A INPUT -j ACCEPT extra"),
  ipt("-A INPUT -m icmp6 -j ACCEPT"),
  ip6("-A INPUT -m icmp -j ACCEPT"),
  ip6("-A INPUT -s 1.2.3.4 -j ACCEPT"),
  ipt("-A INPUT -m set --match-set nosuch src -j ACCEPT"),
  ipt("-t bogus -A INPUT -j ACCEPT"),
  ipt("-I INPUT 0 -j ACCEPT"),
  ipt("-A INPUT -m nomatch -j ACCEPT"),
  except(ipt("-A INPUT -m time --timestart 09:00 -j ACCEPT"), "a real extension nfplay does not simulate: refused by name"),
  except(ipt("-t mangle -A POSTROUTING -p tcp -j TCPMSS --clamp-mss-to-pmtu"), "a real extension nfplay does not simulate: refused by name"),
  ipt("-N ACCEPT"),
  ipt("-N DNAT"),
  ipt("-N TCPMSS"),
  ipt("-N a\\ b"),
  ipt("-N -foo"),
  ipt("-N !x"),
  ipt("-s 1.2.3.4"),
  // abbreviations: getopt_long takes a unique prefix
  ipt("-A INPUT --dest 1.2.3.4 -j ACCEPT"),
  ipt("-A INPUT --d 1.2.3.4 -j ACCEPT"),
  ipt("-A INPUT -p tcp --dp 80 -j ACCEPT"),
  ipt("-A INPUT -p tcp --d 80 -j ACCEPT"),
  // interfaces per built-in chain, DROP in nat
  ipt("-A INPUT -o eth0 -j ACCEPT"),
  ipt("-A OUTPUT -i eth0 -j ACCEPT"),
  ipt("-t nat -A POSTROUTING -i eth0 -j ACCEPT"),
  ipt("-C INPUT -o eth0"),
  ipt("-A FORWARD -i eth0 -o eth1 -j ACCEPT"),
  ipt("-t nat -A PREROUTING -j DROP"),
  ipt("-t nat -A X -j DROP", "-t nat -N X"),
  // targets per table and hook (the kernel's checkentry)
  ipt("-A INPUT -j DNAT --to-destination 1.2.3.4"),
  ipt("-t nat -A POSTROUTING -j DNAT --to-destination 1.2.3.4"),
  ipt("-t nat -A PREROUTING -j MASQUERADE"),
  ipt("-A INPUT -j MASQUERADE"),
  ipt("-t nat -A POSTROUTING -j SNAT --to-source 1.2.3.4"),
  ipt("-t nat -A INPUT -j SNAT --to-source 1.2.3.4"),
  ipt("-t nat -A OUTPUT -j DNAT --to-destination 1.2.3.4"),
  ipt("-t nat -A POSTROUTING -j REDIRECT"),
  ipt("-t nat -A OUTPUT -j REDIRECT --to-ports 8080"),
  ipt("-t nat -A PREROUTING -j NETMAP --to 10.0.0.0/24"),
  ipt("-t mangle -A PREROUTING -j NETMAP --to 10.0.0.0/24"),
  ipt("-A INPUT -j NOTRACK"),
  ipt("-t raw -A PREROUTING -j NOTRACK"),
  ipt("-A INPUT -j CT --notrack"),
  ipt("-A INPUT -j CHECKSUM --checksum-fill"),
  ipt("-t mangle -A POSTROUTING -j CHECKSUM --checksum-fill"),
  ipt("-t raw -A PREROUTING -j REJECT"),
  ipt("-C INPUT -j DNAT --to-destination 1.2.3.4"),
  ip6("-A INPUT -j MASQUERADE"),
  // matches per hook
  ipt("-t nat -A PREROUTING -m rpfilter -j ACCEPT"),
  ipt("-t raw -A PREROUTING -m rpfilter --invert -j DROP"),
  ipt("-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT"),
  ipt("-A INPUT -m addrtype --src-type LOCAL --limit-iface-in -j ACCEPT"),
  ipt("-A INPUT -m physdev --physdev-out eth0 -j ACCEPT"),
  ipt("-A INPUT ! -s 0/0 -j ACCEPT"),
  ipt("-I INPUT ! -s 0/0 -j ACCEPT"),
  ipt("-D INPUT ! -s 0/0"),
  // a user chain is checked from the base chains that reach it, when they reach it
  ipt("-A X -j DNAT --to-destination 1.2.3.4", "-N X"),
  ipt("-t nat -A POSTROUTING -j X", "-t nat -N X", "-t nat -A X -j DNAT --to-destination 1.2.3.4"),
  ipt("-A Y -j REJECT", "-t raw -N X", "-t raw -N Y"),
  ipt("-t raw -A PREROUTING -j X", "-t raw -N X", "-t raw -A X -m rpfilter -j ACCEPT"),
  ipt("-t raw -A OUTPUT -j X", "-t raw -N X", "-t raw -A X -m rpfilter -j ACCEPT"),
  ipt("-A Y -j DNAT --to-destination 1.2.3.4", "-N X", "-N Y", "-A INPUT -j X", "-A X -j Y"),
  // RETURN, jumps, loops
  ipt("-A INPUT -j RETURN"),
  ipt("-A INPUT -j INPUT"),
  ipt("-A X -j X", "-N X"),
  ipt("-A X -j X", "-N X", "-A INPUT -j X"),
  ipt("-A INPUT -j X", "-N X", "-A X -j X"),
  ipt("-A Y -j X", "-N X", "-N Y", "-A INPUT -j X", "-A X -j Y"),
  ipt("-A Y -g X", "-N X", "-N Y", "-A FORWARD -j X", "-A X -j Y"),
  // chains and policies
  ipt("-P X ACCEPT"),
  ipt("-P X ACCEPT", "-N X"),
  ipt("-P INPUT BOGUS"),
  ipt("-P INPUT RETURN"),
  ipt("-P FORWARD DROP"),
  ipt("-N X", "-N X"),
  ipt("-N averyveryveryveryverylongchainname0"),
  ipt("-X X", "-N X", "-A X -j ACCEPT"),
  ipt("-X X", "-N X", "-A INPUT -j X"),
  ipt("-X INPUT"),
  ipt("-X INPUT", "-A INPUT -j ACCEPT"),
  ipt("-X NOPE"),
  ipt("-X", "-N X", "-A X -j ACCEPT"),
  ipt("-F NOPE"),
  ipt("-F INPUT"),
  // rules by number and spec
  ipt("-D INPUT -j ACCEPT"),
  ipt("-D INPUT 1"),
  ipt("-D INPUT 5", "-A INPUT -j ACCEPT"),
  ipt("-C INPUT -j ACCEPT"),
  ipt("-I INPUT 3 -j ACCEPT"),
  ipt("-I INPUT 2 -j ACCEPT", "-P INPUT DROP"),
  ipt("-I INPUT 1 -j ACCEPT"),
  // more parse errors of the modules
  ipt("-A INPUT -p tcp --s 80 -j ACCEPT"),
  ipt("-A INPUT -p tcp --dport 80:70 -j ACCEPT"),
  except(ipt("-A INPUT -p tcp --dport http -j ACCEPT"), "service names come from the host's /etc/services; nfplay takes port numbers only"),
  ipt("-A INPUT -m tcp --dport 80 -j ACCEPT"),
  ipt("-A INPUT -m udp --dport 80 -j ACCEPT"),
  ipt("-A INPUT -p udp -m tcp --dport 80 -j ACCEPT"),
  ipt("-A INPUT ! -p tcp -m tcp --dport 80 -j ACCEPT"),
  ipt("-A INPUT -p all -m tcp --dport 80 -j ACCEPT"),
  ipt("-A INPUT -p 6 -m tcp --dport 80 -j ACCEPT"),
  ipt("-A INPUT -m tcp -j ACCEPT"),
  ipt("-A INPUT -m icmp --icmp-type 8 -j ACCEPT"),
  ipt("-A INPUT -m sctp --dport 80 -j ACCEPT"),
  ip6("-A INPUT -m icmp6 --icmpv6-type 128 -j ACCEPT"),
  ipt("-t nat -A POSTROUTING -j SNAT"),
  ipt("-t nat -A POSTROUTING -j NETMAP"),
  ipt("-t nat -A PREROUTING -p tcp -j DNAT --to-destination 1.2.3.4:99999"),
  ipt("-t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.2.3.4:0-99999"),
  ipt("-A INPUT -d 1.2.3.4/-1 -j ACCEPT"),
  ip6("-A INPUT -s ::1/129 -j ACCEPT"),
  ipt("-A INPUT -s 1.2.3.4/255.255.255.0 -j ACCEPT"),
  ip6("-A INPUT -s ::1/ffff:: -j ACCEPT"),
  except(ipt("-A INPUT -s 1.2.3.4/255.0.255.0 -j ACCEPT"), "nfplay models addresses as prefixes: a non-contiguous netmask is refused by name"),
  ipt("-A INPUT -s 10.0.0.0/33 -j ACCEPT"),
  ipt("-A INPUT -i eth+ -p 300 -j ACCEPT"),
  ipt("-A INPUT -m conntrack --ctstate BOGUS -j ACCEPT"),
  ipt("-A INPUT -j REJECT --reject-with bogus"),
  ipt("-A INPUT -p icmp --icmp-type bogus -j ACCEPT"),
  ipt("-A FORWARD -m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out -j ACCEPT"),
  ipt("-t nat -A OUTPUT -j DNAT"),
  ipt("-t nat -A PREROUTING -p tcp -j DNAT --to 1.2.3.4:80"),
  ipt("-t nat -A PREROUTING -j REDIRECT --to-ports 80"),
  ipt("-A INPUT -j SET --add-set nosuch src"),
  ipt("-A INPUT -j TRACE"),
  ipt("-t raw -A OUTPUT -j CT --notrack"),
  ipt("-A INPUT -j MARK --set-mark 1"),
  ipt("-A INPUT -j CONNMARK --save-mark"),
  ipt("-t security -A INPUT -j ACCEPT"),
  ipt("-t nat -A OUTPUT -m addrtype --dst-type LOCAL -j X", "-t nat -N X"),
  ipt("-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT"),
  ipt("-A INPUT ! -d 127.0.0.0/8 -j ACCEPT"),
  ip6("-A INPUT -p icmpv6 --icmpv6-type echo-request -j ACCEPT"),
  ip6("-A INPUT -j REJECT --reject-with icmp-port-unreachable"),
  except(ip6("-A INPUT -m iprange --src-range 2001:db8::1-2001:db8::9 -j ACCEPT"), "nfplay simulates -m iprange for IPv4 only and says so"),
  except(ip6("-t nat -A POSTROUTING -j NETMAP --to 2001:db8::/64"), "nfplay simulates -j NETMAP for IPv4 only and says so"),
  ip6("-A INPUT ! -s ::/0 -j ACCEPT"),
  // iptables-restore
  restore("*filter\n[3:180] -A INPUT -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*filter\n-A INPUT -j DROP\nCOMMIT\n"),
  except(
    restore("*filter\n-A INPUT -m comment --comment \"unterminated\nCOMMIT\n"),
    "iptables-restore takes the rest of the line, newline included, as the quoted word; nfplay refuses the unterminated quote",
  ),
  restore("*filter\n:DOCKER - [0:0]\n-A FORWARD -j DOCKER\n-A DOCKER -j DOCKER-USER\n:DOCKER-USER - [0:0]\nCOMMIT\n"),
  restore("*raw\n-A PREROUTING -m rpfilter --invert -j DROP\nCOMMIT\n*nat\n-A PREROUTING -m rpfilter -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT --bogus\nCOMMIT\n"),
  restore("*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n"),
  restore("*filter\n-A NOCHAIN -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT -j ACCEPT\n"),
  restore("*filter\n-A INPUT -j ACCEPT"),
  restore("*bogus\nCOMMIT\n"),
  restore("*filter\n:X - [0:0]\n-A INPUT -j NOPE\nCOMMIT\n"),
  restore("*filter\n:X - [0:0]\n-A X -j X\nCOMMIT\n"),
  restore("*filter\n:X - [0:0]\n-A INPUT -j X\n-A X -j X\nCOMMIT\n"),
  restore("*filter\n:X - [0:0]\n-A X -j X\n-A INPUT -j X\nCOMMIT\n"),
  restore("*filter\n:X ACCEPT [0:0]\nCOMMIT\n"),
  restore("*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n"),
  restore("*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n"),
  restore("*filter\n-A INPUT -j ACCEPT\n*nat\nCOMMIT\n"),
  restore("-A INPUT -j ACCEPT\n"),
  restore("*filter\n:INPUT\nCOMMIT\n"),
  restore("*filter\n-D INPUT -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-N FOO\n-A FOO -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-I INPUT 3 -j ACCEPT\nCOMMIT\n"),
  restore("*nat\n-A PREROUTING -j DROP\nCOMMIT\n"),
  restore("*filter\n-A INPUT -o eth0 -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT -m set --match-set nosuch src -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT -m icmp6 -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT foo\nCOMMIT\n"),
  restore("*filter\n-A INPUT -t nat -j ACCEPT\nCOMMIT\n"),
  restore("*filter\nCOMMIT\nCOMMIT\n"),
  restore("*filter\n:INPUT DROP [0:0]\n-P INPUT ACCEPT\nCOMMIT\n"),
  restore("*filter\n-A INPUT ! -s 0/0 -j ACCEPT\nCOMMIT\n"),
  restore("*filter\n-X INPUT\nCOMMIT\n"),
  restore("\n\n*filter\n-A INPUT -j ACCEPT\nCOMMIT\n*nat\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n"),
  restore("*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\n-A INPUT --bogus\nCOMMIT\n"),
  restore("*nat\n:X - [0:0]\n-A X -j DNAT --to-destination 1.2.3.4\n-A POSTROUTING -j X\nCOMMIT\n"),
  restore6("*filter\n-A INPUT -m icmp -j ACCEPT\nCOMMIT\n"),
  restore6("*nat\n-A INPUT -j MASQUERADE\nCOMMIT\n"),
  restore6("*filter\n-A INPUT -p tcp --dport\nCOMMIT\n"),
  restore6("*filter\n-A INPUT -s 1.2.3.4 -j ACCEPT\nCOMMIT\n"),
];

interface Outcome {
  ok: boolean;
  stderr: string;
}

const isRestore = (tool: Tool) => tool.endsWith("-restore");
const familyOf = (tool: Tool) => (tool.startsWith("ip6") ? "ipv6" : "ipv4");
const cmdTool = (tool: Tool) => (tool.startsWith("ip6") ? "ip6tables" : "iptables");

function nfplay(c: Case): Outcome {
  const rs = new Ruleset(familyOf(c.tool));
  for (const s of c.setup ?? []) {
    const r = applyCommand(rs, splitLine(s));
    if (!r.ok) throw new Error(`setup "${s}" failed in nfplay: ${r.error}`);
  }
  if (!isRestore(c.tool)) {
    const r = applyCommand(rs, splitLine(c.input));
    return { ok: r.ok, stderr: r.ok ? "" : `${r.error}\n` };
  }
  try {
    restoreRuleset(c.input, rs);
    return { ok: true, stderr: "" };
  } catch (e) {
    if (e instanceof RestoreError) return { ok: false, stderr: `${e.message}\n` };
    throw e;
  }
}

const NS = `nfe2-err-${process.pid}`;

function inNs(argv: string[], input?: string) {
  return spawnSync("ip", ["netns", "exec", NS, ...argv], { input, encoding: "utf8", timeout: 10_000 });
}

function kernel(c: Case): Outcome {
  const flush = inNs(["nft", "flush", "ruleset"]);
  if (flush.status !== 0) throw new Error(`nft flush ruleset failed: ${flush.stderr}`);
  for (const s of c.setup ?? []) {
    const r = inNs([cmdTool(c.tool), ...splitLine(s)]);
    if (r.status !== 0) throw new Error(`setup "${s}" failed in the kernel: ${r.stderr}`);
  }
  const r = isRestore(c.tool) ? inNs([c.tool], c.input) : inNs([c.tool, ...splitLine(c.input)]);
  if (r.error) throw r.error;
  return { ok: r.status === 0, stderr: r.stderr };
}

const label = (c: Case) => `${c.tool} ${JSON.stringify(c.input)}${c.setup?.length ? ` after ${c.setup.join("; ")}` : ""}`;

describe.skipIf(!avail.ok)("error messages: nfplay vs iptables 1.8.9 (nf_tables)", () => {
  beforeAll(() => {
    const r = spawnSync("ip", ["netns", "add", NS], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`ip netns add ${NS}: ${r.stderr}`);
  });
  afterAll(() => {
    spawnSync("ip", ["netns", "delete", NS]);
  });

  it("has a corpus of at least 40 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it("agrees on every case (status and stderr)", () => {
    const disagreements: string[] = [];
    for (const c of CASES) {
      const k = kernel(c);
      const n = nfplay(c);
      const same = k.ok === n.ok && k.stderr === n.stderr;
      if (c.exception) {
        if (same) disagreements.push(`${label(c)}: listed as an exception (${c.exception}) but now agrees`);
      } else if (!same)
        disagreements.push(`${label(c)}\n  kernel: ${k.ok ? "ok" : "error"} ${JSON.stringify(k.stderr)}\n  nfplay: ${n.ok ? "ok" : "error"} ${JSON.stringify(n.stderr)}`);
    }
    if (disagreements.length) console.log(`${disagreements.length} disagreements:\n${disagreements.join("\n")}`);
    expect(disagreements).toEqual([]);
  }, 120_000);
});
