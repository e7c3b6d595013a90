// `iptables -t TABLE -L -n -v` for every table of every namespace with rules, with the packet
// and byte counters the traced flows leave: every step of a trace (first packet and reply) is
// one packet through that rule, or through that chain's policy.
import type { SimulationResult } from "../result.js";
import { splitLine } from "../netfilter/quote.js";
import { parseSave, protoOf, ruleNamespaces, type RenderOptions, answerOf } from "./common.js";

/**
 * Bytes of one traced packet at layer 3, by protocol: a Linux TCP SYN (and SYN-ACK) with its
 * options is 60; a UDP datagram carrying "x\n" 30; a default ping 84; an SCTP INIT 68.
 */
export const PACKET_BYTES: Record<string, number> = { tcp: 60, udp: 30, icmp: 84, sctp: 68 };

interface Counter {
  pkts: number;
  bytes: number;
}

function countHits(result: SimulationResult, options: RenderOptions): Map<string, Counter> {
  const hits = new Map<string, Counter>();
  result.traces.forEach((t, i) => {
    const bytes = PACKET_BYTES[protoOf(options, i, t)] ?? 60;
    for (const s of [...t.steps, ...(answerOf(t)?.steps ?? [])]) {
      const key = `${s.namespace}|${s.table}|${s.chain}|${s.ruleNumber ?? "policy"}`;
      const c = hits.get(key) ?? { pkts: 0, bytes: 0 };
      c.pkts += 1;
      c.bytes += bytes;
      hits.set(key, c);
    }
  });
  return hits;
}

/** xtables_print_num with FMT_KILOMEGAGIGA: 5 digits, then K, M, G, T. */
function num(n: number): string {
  let v = n;
  if (v <= 99999) return String(v).padStart(5);
  for (const unit of ["K", "M", "G", "T"]) {
    v = Math.floor(v / 1000);
    if (v <= 9999) return `${v}${unit}`.padStart(5);
  }
  return `${v}T`.padStart(5);
}

const HEADER = " pkts bytes target     prot opt in     out     source               destination         ";

interface Columns {
  target: string;
  prot: string;
  protNeg: boolean;
  in: string;
  out: string;
  src: string;
  dst: string;
  extra: string[];
}

const PORT_OPTS: Record<string, [string, string]> = {
  "--dport": ["dpt", "dpts"], "--destination-port": ["dpt", "dpts"], "--sport": ["spt", "spts"], "--source-port": ["spt", "spts"],
};

/** The columns `iptables -L -n` prints for one `-A` rule, with the usual match/target texts. */
export function listColumns(rule: string): Columns {
  const argv = splitLine(rule).slice(2);
  const c: Columns = { target: "", prot: "all", protNeg: false, in: "*", out: "*", src: "0.0.0.0/0", dst: "0.0.0.0/0", extra: [] };
  let neg = false;
  let module = "";
  let inTarget = false;
  const extra: string[] = [];
  const targetExtra: string[] = [];
  const push = (s: string) => (inTarget ? targetExtra : extra).push(s);
  const addr = (v: string) => (v === "0.0.0.0/0" || v.includes("/") ? v.replace(/\/32$/, "") : v);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1] ?? "";
    const bang = neg ? "!" : "";
    if (a === "!") {
      neg = true;
      continue;
    }
    if (a === "-p" || a === "--protocol") (c.prot = v), (c.protNeg = neg), i++;
    else if (a === "-s" || a === "--source") (c.src = bang + addr(v)), i++;
    else if (a === "-d" || a === "--destination") (c.dst = bang + addr(v)), i++;
    else if (a === "-i" || a === "--in-interface") (c.in = bang + v), i++;
    else if (a === "-o" || a === "--out-interface") (c.out = bang + v), i++;
    else if (a === "-m" || a === "--match") {
      module = v;
      i++;
      if (module === "addrtype") push("ADDRTYPE match");
      else if (module === "multiport") push("multiport");
      else if (module === "tcp" || module === "udp" || module === "sctp" || module === "icmp") push(module);
    } else if (a === "-j" || a === "--jump" || a === "-g" || a === "--goto") {
      c.target = v;
      module = v;
      inTarget = true;
      i++;
    } else if (a in PORT_OPTS) {
      const [one, range] = PORT_OPTS[a]!;
      if (!extra.includes(c.prot) && !["tcp", "udp", "sctp", "multiport"].some((m) => extra.includes(m))) push(c.prot);
      push(v.includes(":") ? `${range}:${bang}${v}` : `${one}:${bang}${v}`);
      i++;
    } else if (module === "multiport" && (a === "--dports" || a === "--sports" || a === "--ports")) (push(`${a.slice(2)} ${bang}${v}`), i++);
    else if (a === "--dst-type" || a === "--src-type") (push(`${a.slice(2)} ${bang}${v}`), i++);
    else if (a === "--ctstate" || a === "--state") (push(`${bang}ctstate ${v}`), i++);
    else if (a === "--comment") (push(`/* ${v} */`), i++);
    else if (a === "--to-destination" || a === "--to-source" || a === "--to") (push(`to:${v}`), i++);
    else if (a === "--to-ports") (push(`redir ports ${v}`), i++);
    else if (a === "--reject-with") (push(`reject-with ${v}`), i++);
    else if (a === "--icmp-type") (push(`icmptype ${bang}${v}`), i++);
    else if (a.startsWith("--")) {
      const takesValue = v !== "" && !v.startsWith("-") && v !== "!";
      push(`${bang}${a.slice(2)}${takesValue ? ` ${v}` : ""}`);
      if (takesValue) i++;
    } else push(a);
    neg = false;
  }
  c.extra = [...extra, ...targetExtra];
  return c;
}

function row(counter: Counter, rule: string): string {
  const c = listColumns(rule);
  const head = `${num(counter.pkts)} ${num(counter.bytes)} ${c.target.padEnd(9)} ${c.protNeg ? "!" : " "}${c.prot.padEnd(5)}-- `;
  const via = ` ${c.in.padEnd(6)} ${c.out.padEnd(6)} `;
  // print_firewall(): the negation sits in its own column before each address.
  const addr = (a: string) => `${(a.startsWith("!") ? a : ` ${a}`).padEnd(20)} `;
  const addrs = `${addr(c.src)}${addr(c.dst)}`;
  // Match and target texts each begin with a space, as their print() functions write them.
  return `${head}${via}${addrs}${c.extra.map((e) => ` ${e}`).join("")}`.trimEnd();
}

export function renderIptablesL(result: SimulationResult, options: RenderOptions = {}): string {
  const hits = countHits(result, options);
  const zero: Counter = { pkts: 0, bytes: 0 };
  const out: string[] = [];
  const namespaces = ruleNamespaces(result);
  for (const ns of namespaces) {
    if (namespaces.length > 1 || ns !== "host") out.push(`# namespace: ${ns}`);
    for (const t of parseSave(result.rules[ns]!["iptables-save"])) {
      out.push(`# iptables -t ${t.name} -L -n -v`);
      const byChain = new Map<string, string[]>(t.chains.map((c) => [c.name, []]));
      for (const r of t.rules) byChain.get(r.split(/\s+/)[1]!)?.push(r);
      const references = (chain: string) => t.rules.filter((r) => new RegExp(` -[jg] ${chain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( |$)`).test(r)).length;
      for (const chain of t.chains) {
        const key = `${ns}|${t.name}|${chain.name}`;
        if (chain.policy !== null) {
          const p = hits.get(`${key}|policy`) ?? zero;
          out.push(`Chain ${chain.name} (policy ${chain.policy} ${p.pkts} packets, ${p.bytes} bytes)`);
        } else out.push(`Chain ${chain.name} (${references(chain.name)} references)`);
        out.push(HEADER);
        byChain.get(chain.name)!.forEach((r, i) => out.push(row(hits.get(`${key}|${i + 1}`) ?? zero, r)));
        out.push("");
      }
    }
  }
  return out.join("\n");
}
