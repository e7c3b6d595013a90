// Random host rulesets x flows for the seeded differential test (test/kernel/random.test.ts).
//
// The arbitraries produce *structured* rulesets (tables -> policies, user chains, rule records), so
// fast-check can shrink them field by field (drop a rule, drop a match, drop a table ...). render()
// turns a structure into iptables-save text and repairs what would be invalid (ports without -p,
// jumps that would loop, DNAT outside PREROUTING/OUTPUT, ...), except for rules marked `wild`: those
// keep their misplaced pieces on purpose, and iptables-restore and the engine must then agree on
// rejecting (or accepting) the whole ruleset.
import fc from "fast-check";
import { findMatch } from "../../../src/netfilter/registry.js";

export type TableName = "filter" | "nat" | "raw" | "mangle";
export const BUILTINS: Record<TableName, string[]> = {
  raw: ["PREROUTING", "OUTPUT"],
  mangle: ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
  filter: ["INPUT", "FORWARD", "OUTPUT"],
  nat: ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
};
const USER_CHAINS = ["DOCKER-USER", "my_chain", "C3"];

/** Pieces the engine does not register are never generated (checked at run time). */
function registered(name: string): boolean {
  try {
    findMatch(name);
    return true;
  } catch {
    return false;
  }
}
export const HAVE_MARK_MATCH = registered("mark");

/**
 * Engine bugs found by this test become cases in regressions.test.ts; while one is open, the generator can
 * steer around it (NFPLAY_RANDOM_AVOID=1) so the random test finds new ones. All found so far (R1-R16) are
 * fixed, so by default nothing is avoided.
 */
export const AVOID_KNOWN = process.env.NFPLAY_RANDOM_AVOID === "1";
const KNOWN = {
  /** R1: a nat base chain's policy DROP did not drop the packet */
  natPolicyDrop: AVOID_KNOWN,
  markTarget: false, // R2 (fixed)
  /** R3/R4/R5/R8/R9: rulesets iptables-restore refuses: -i in OUTPUT/POSTROUTING, -o in PREROUTING/INPUT;
   *  -j DROP in nat; "! -s 0.0.0.0/0"; REJECT outside filter; -m multiport without -p tcp/udp */
  restoreChecks: AVOID_KNOWN,
  noConntrack: false, // R6 (fixed)
  /** R7: a rule with no match and no target ("-A FORWARD") */
  emptyRule: AVOID_KNOWN,
};

// ---------------------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------------------

export interface Neg<T> { neg: boolean; v: T }

export type Target =
  | { k: "verdict"; v: "ACCEPT" | "DROP" | "RETURN" }
  | { k: "jump"; goto: boolean; to: number }
  | { k: "LOG"; prefix: string | null }
  | { k: "MARK"; op: "set-mark" | "set-xmark" | "or-mark" | "and-mark"; v: string }
  | { k: "REJECT"; with: string | null }
  | { k: "DNAT"; to: string }
  | { k: "SNAT"; to: string }
  | { k: "MASQUERADE"; ports: string | null }
  | { k: "none" };

export interface RuleGen {
  chain: number; // index into builtins ++ user chains (modulo)
  src: Neg<string> | null;
  dst: Neg<string> | null;
  iif: Neg<string> | null;
  oif: Neg<string> | null;
  proto: Neg<"tcp" | "udp" | "icmp"> | null;
  explicitProto: boolean; // "-m tcp" written out
  dport: Neg<string> | null;
  sport: Neg<string> | null;
  syn: Neg<null> | null;
  icmpType: Neg<string> | null;
  multiport: { which: "dports" | "sports" | "ports"; neg: boolean; list: string[] } | null;
  ct: Neg<string[]> | null;
  state: Neg<string[]> | null;
  addrtype: { src: Neg<string[]> | null; dst: Neg<string[]> | null; limit: "in" | "out" | null } | null;
  comment: string | null;
  mark: Neg<string> | null;
  target: Target;
  longOpts: boolean; // --source/--destination-port/... instead of -s/--dport
  /** keep misplaced pieces (target in a wrong chain/table, ports without -p, ...) */
  wild: boolean;
}

export interface TableGen {
  policies: ("ACCEPT" | "DROP")[]; // per builtin
  /** builtin chains not declared (":CHAIN POLICY [0:0]" line left out); only when the policy is ACCEPT */
  omit: boolean[];
  users: number; // 0..3 user chains
  rules: RuleGen[];
}

export interface RulesetGen {
  /** append a never-referenced "-m conntrack" rule (security table) so that conntrack runs in the netns,
   *  as on every Docker host; without it the kernel skips the nat chains unless another rule uses conntrack */
  ctOn: boolean;
  filter: TableGen | null;
  nat: TableGen | null;
  raw: TableGen | null;
  mangle: TableGen | null;
}

export type Endpoint = "host" | "localhost" | "web" | "client" | "ext";
export interface FlowGen {
  from: "external" | "host" | "web" | "client";
  to: Endpoint;
  port: number;
  proto: "tcp" | "udp";
}

// ---------------------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------------------

// Integer rolls map their shrink target (0) to the plain choice: a counterexample shrinks towards "no !",
// policy ACCEPT, declared chains, non-wild rules.
const neg = <T>(v: fc.Arbitrary<T>, negWeight = 4): fc.Arbitrary<Neg<T>> =>
  fc.record({ neg: fc.integer({ min: 0, max: negWeight - 1 }).map((n) => n === negWeight - 1), v });
/** present with probability 1/k (shrinks towards absent) */
const opt = <T>(a: fc.Arbitrary<T>, k: number): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: k - 1 }, { arbitrary: a, weight: 1 });

const ADDRS = [
  "198.51.100.7", "198.51.100.0/24", "203.0.113.10", "203.0.113.0/24", "203.0.113.10/32", "172.17.0.2", "172.17.0.3",
  "172.17.0.0/16", "172.17.0.1", "172.17.0.5/16", "127.0.0.1", "127.0.0.0/8", "10.0.0.0/8", "0.0.0.0/0", "172.16.0.0/12",
];
const IFACES = ["docker0", "eth0", "lo", "veth+", "docker+", "e+", "vnfk0"];
// Ports are chosen so that a rule never tells the engine's client port (40000 + i, proxy 50000 + i) from
// the kernel's ephemeral port (32768-60999): every range holds all of them or none of them.
const DPORTS = ["53", "80", "443", "8080", "1:1023", "80:8080", "8000:9000", "1024:65535", "443:"];
const SPORTS = ["53", "80", "443", "8080", "0:1023", "1024:65535", ":1023"];
const MPORTS = ["53", "80", "443", "8080", "1:79", "81:1023", "8000:8100"];
const CTSTATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "DNAT", "SNAT"];
const STATES = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"];
const ADDRTYPES = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST", "UNSPEC"];
const COMMENTS = ["web", "allow web", "it's here", 'say "hi"', "a;b", "x".repeat(40)];
const ICMP_TYPES = ["port-unreachable", "echo-request", "3", "3/3", "any", "destination-unreachable", "host-prohibited"];
const DNAT_TO = ["172.17.0.2:80", "172.17.0.2", "172.17.0.3:8080", "172.17.0.2:443", "172.17.0.2:80-81", "198.51.100.7:80"];
const SNAT_TO = ["203.0.113.10", "172.17.0.1", "203.0.113.10:1024-65535"];
const MARKS = ["0x1", "0x2/0xff", "7", "0x10/0x10"];

const targetArb = (table: TableName): fc.Arbitrary<Target> => {
  const verdicts: ("ACCEPT" | "DROP" | "RETURN")[] = table === "nat" && KNOWN.restoreChecks ? ["ACCEPT", "RETURN"] : ["ACCEPT", "DROP", "RETURN"];
  const verdict = fc.constantFrom(...verdicts).map((v) => ({ k: "verdict" as const, v }));
  const jump = fc.record({ k: fc.constant("jump" as const), goto: fc.integer({ min: 0, max: 4 }).map((n) => n === 4), to: fc.integer({ min: 0, max: 2 }) });
  const log = fc.record({ k: fc.constant("LOG" as const), prefix: opt(fc.constantFrom("nfk: ", "DROP ", "x"), 2) });
  const mark = fc.record({ k: fc.constant("MARK" as const), op: fc.constantFrom("set-mark", "set-xmark", "or-mark", "and-mark"), v: fc.constantFrom(...MARKS) });
  const reject = fc.record({ k: fc.constant("REJECT" as const), with: opt(fc.constantFrom("icmp-host-prohibited", "tcp-reset", "icmp-port-unreachable", "admin-prohib"), 2) });
  const dnat = fc.record({ k: fc.constant("DNAT" as const), to: fc.constantFrom(...DNAT_TO) });
  const snat = fc.record({ k: fc.constant("SNAT" as const), to: fc.constantFrom(...SNAT_TO) });
  const masq = fc.record({ k: fc.constant("MASQUERADE" as const), ports: opt(fc.constantFrom("1024-65535", "40000"), 4) });
  const none = fc.constant({ k: "none" as const });
  const w = (arbitrary: fc.Arbitrary<Target>, weight: number) => ({ arbitrary, weight });
  const common = [w(verdict, 10), w(jump, 5), w(log, 2), w(none, 1)];
  const markW = KNOWN.markTarget ? [] : [w(mark, table === "filter" ? 1 : 4)];
  if (table === "filter") return fc.oneof(...common, w(reject, 4), ...markW);
  if (table === "nat") return fc.oneof(...common, w(dnat, 5), w(snat, 3), w(masq, 3));
  return fc.oneof(...common, ...markW);
};

/** Any target anywhere: for `wild` rules. */
const anyTarget: fc.Arbitrary<Target> = fc.oneof(targetArb("filter"), targetArb("nat"), targetArb("raw"));

const ruleArb = (table: TableName): fc.Arbitrary<RuleGen> =>
  fc.integer({ min: 0, max: 99 }).chain((wildRoll) => {
    const wild = wildRoll >= 96;
    return fc.record({
      chain: fc.integer({ min: 0, max: 7 }),
      src: opt(neg(fc.constantFrom(...ADDRS)), 4),
      dst: opt(neg(fc.constantFrom(...ADDRS)), 4),
      iif: opt(neg(fc.constantFrom(...IFACES)), 4),
      oif: opt(neg(fc.constantFrom(...IFACES)), 4),
      proto: opt(neg(fc.constantFrom<"tcp" | "udp" | "icmp">("tcp", "udp", "tcp", "udp", "icmp"), 10), 2),
      explicitProto: fc.boolean(),
      dport: opt(neg(fc.constantFrom(...DPORTS), 5), 2),
      sport: opt(neg(fc.constantFrom(...SPORTS), 5), 6),
      syn: opt(neg(fc.constant(null), 3), 8),
      icmpType: opt(neg(fc.constantFrom(...ICMP_TYPES), 4), 3),
      multiport: opt(fc.record({
        which: fc.constantFrom<"dports" | "sports" | "ports">("dports", "dports", "sports", "ports"),
        neg: fc.integer({ min: 0, max: 4 }).map((n) => n === 4),
        list: fc.subarray(MPORTS, { minLength: 1, maxLength: 4 }),
      }), 8),
      ct: opt(neg(fc.subarray(CTSTATES, { minLength: 1, maxLength: 3 }), 5), 4),
      state: opt(neg(fc.subarray(STATES, { minLength: 1, maxLength: 3 }), 5), 10),
      addrtype: opt(fc.record({
        src: opt(neg(fc.subarray(ADDRTYPES, { minLength: 1, maxLength: 2 }), 4), 2),
        dst: opt(neg(fc.subarray(ADDRTYPES, { minLength: 1, maxLength: 2 }), 4), 2),
        limit: opt(fc.constantFrom<"in" | "out">("in", "out"), 4),
      }), 6),
      comment: opt(fc.constantFrom(...COMMENTS), 8),
      mark: HAVE_MARK_MATCH ? opt(neg(fc.constantFrom("0x1", "0x2/0xff", "0"), 4), 6) : fc.constant(null),
      target: wild ? anyTarget : targetArb(table),
      longOpts: fc.integer({ min: 0, max: 5 }).map((n) => n === 5),
      wild: fc.constant(wild),
    });
  });

const tableArb = (table: TableName): fc.Arbitrary<TableGen> => {
  const n = BUILTINS[table].length;
  // 1 in 3 (filter) or 1 in 10 (others) policies is DROP
  const dropWeight = table === "filter" ? 3 : table === "nat" && KNOWN.natPolicyDrop ? 1 : 10;
  return fc.record({
    policies: fc.array(fc.integer({ min: 0, max: dropWeight - 1 }).map((x) => (x === dropWeight - 1 && dropWeight > 1 ? "DROP" as const : "ACCEPT" as const)), { minLength: n, maxLength: n }),
    omit: fc.array(fc.integer({ min: 0, max: 14 }).map((x) => x === 14), { minLength: n, maxLength: n }),
    users: fc.integer({ min: 0, max: 3 }),
    rules: fc.array(ruleArb(table), { minLength: 0, maxLength: table === "filter" || table === "nat" ? 8 : 4 }),
  });
};

export const rulesetArb: fc.Arbitrary<RulesetGen> = fc.record({
  ctOn: KNOWN.noConntrack ? fc.constant(true) : fc.integer({ min: 0, max: 4 }).map((x) => x !== 4),
  filter: fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: tableArb("filter"), weight: 7 }),
  nat: fc.oneof({ arbitrary: fc.constant(null), weight: 1 }, { arbitrary: tableArb("nat"), weight: 4 }),
  raw: opt(tableArb("raw"), 4),
  mangle: opt(tableArb("mangle"), 4),
});

export const flowArb: fc.Arbitrary<FlowGen> = fc.record({
  from: fc.constantFrom<FlowGen["from"]>("external", "host", "web", "client"),
  to: fc.constantFrom<Endpoint>("host", "localhost", "web", "client", "ext"),
  port: fc.constantFrom(80, 8080, 443, 53),
  proto: fc.constantFrom<"tcp" | "udp">("tcp", "tcp", "udp"),
});

/** A flow the engine and the harness both understand: no flow to itself, localhost only from the host. */
export function normalizeFlow(f: FlowGen): FlowGen {
  let to = f.to;
  if (to === "localhost" && f.from !== "host") to = "host";
  if (to === "web" && f.from === "web") to = "client";
  if (to === "client" && f.from === "client") to = "web";
  if (to === "ext" && f.from === "external") to = "host";
  return { ...f, to };
}

export function flowTo(f: FlowGen): string {
  const target = f.to === "ext" ? "198.51.100.7" : f.to;
  return `${target}:${f.port}`;
}

// ---------------------------------------------------------------------------------------------------------
// Rendering (with repair)
// ---------------------------------------------------------------------------------------------------------

const HOOK_OK: Record<string, string[]> = {
  DNAT: ["PREROUTING", "OUTPUT"],
  SNAT: ["POSTROUTING", "INPUT"],
  MASQUERADE: ["POSTROUTING"],
  REJECT: ["INPUT", "FORWARD", "OUTPUT"],
};
const TABLE_OK: Record<string, TableName[]> = { DNAT: ["nat"], SNAT: ["nat"], MASQUERADE: ["nat"], REJECT: ["filter"] };
const LIMIT_OK = { in: ["PREROUTING", "INPUT", "FORWARD"], out: ["OUTPUT", "POSTROUTING", "FORWARD"] };

const n = (x: { neg: boolean } | null | undefined) => (x?.neg ? "! " : "");
const q = (s: string) => (/^[_\-0-9a-zA-Z]+$/.test(s) ? s : `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`);

interface Placed { chain: string; chainIdx: number; r: RuleGen; target: Target }

function renderTable(table: TableName, t: TableGen): string {
  const builtins = BUILTINS[table];
  const users = USER_CHAINS.slice(0, t.users);
  const chains = [...builtins, ...users];
  const isUser = (i: number) => i >= builtins.length;

  // 1. place the rules; repair jumps so that user chains only jump "forward" (no loops)
  const placed: Placed[] = t.rules.map((r) => {
    const chainIdx = r.chain % chains.length;
    let target = r.target;
    if (target.k === "jump") {
      if (!users.length) target = { k: "verdict", v: "ACCEPT" };
      else {
        const to = target.to % users.length;
        // user chain i may only jump to user chains after it: no loops (a wild rule may loop; both must refuse)
        target = isUser(chainIdx) && builtins.length + to <= chainIdx && !r.wild ? { k: "verdict", v: "RETURN" } : { ...target, to };
      }
    }
    return { chain: chains[chainIdx]!, chainIdx, r, target };
  });

  // 2. which hooks reach each chain
  const hooks = new Map<string, Set<string>>(chains.map((c, i) => [c, new Set(isUser(i) ? [] : [c])]));
  for (let changed = true; changed;) {
    changed = false;
    for (const p of placed) {
      if (p.target.k !== "jump" || p.target.to >= users.length) continue;
      const dest = hooks.get(users[p.target.to]!)!;
      for (const h of hooks.get(p.chain)!) if (!dest.has(h)) { dest.add(h); changed = true; }
    }
  }

  // 3. render every rule, repairing what is invalid (unless wild)
  const lines: string[] = [];
  for (const p of placed) {
    let { r } = p;
    const reach = [...hooks.get(p.chain)!];
    const parts: string[] = [`-A ${p.chain}`];
    const addr = (a: Neg<string> | null) => (a && a.neg && KNOWN.restoreChecks && a.v === "0.0.0.0/0" ? { ...a, neg: false } : a);
    r = { ...r, src: addr(r.src), dst: addr(r.dst) };
    const L = r.longOpts;
    if (r.src) parts.push(`${n(r.src)}${L ? "--source" : "-s"} ${r.src.v}`);
    if (r.dst) parts.push(`${n(r.dst)}${L ? "--destination" : "-d"} ${r.dst.v}`);
    // iptables refuses -i in OUTPUT/POSTROUTING and -o in PREROUTING/INPUT (builtin chains only)
    const wildIo = r.wild && !KNOWN.restoreChecks;
    const iifOk = wildIo || !["OUTPUT", "POSTROUTING"].includes(p.chain);
    const oifOk = wildIo || !["PREROUTING", "INPUT"].includes(p.chain);
    if (r.iif && iifOk) parts.push(`${n(r.iif)}${L ? "--in-interface" : "-i"} ${r.iif.v}`);
    if (r.oif && oifOk) parts.push(`${n(r.oif)}${L ? "--out-interface" : "-o"} ${r.oif.v}`);
    const proto = r.proto;
    if (proto) parts.push(`${n(proto)}${L ? "--protocol" : "-p"} ${proto.v}`);
    const portProto = proto && !proto.neg && proto.v !== "icmp" ? proto.v : null;
    // R14: iptables-nft accepts "! -p tcp --dport 53" and "! -p tcp -j MASQUERADE --to-ports 1024-65535"; the
    // engine refuses port options after a negated -p
    const wildPorts = r.wild && !(KNOWN.restoreChecks && proto?.neg);
    const ports = (r.dport || r.sport || (r.syn && portProto === "tcp")) && (portProto || wildPorts);
    if (ports) {
      if (r.explicitProto && portProto) parts.push(`-m ${portProto}`);
      if (r.sport) parts.push(`${n(r.sport)}${L ? "--source-port" : "--sport"} ${r.sport.v}`);
      if (r.dport) parts.push(`${n(r.dport)}${L ? "--destination-port" : "--dport"} ${r.dport.v}`);
      if (r.syn && (portProto === "tcp" || wildPorts)) parts.push(`${n(r.syn)}--syn`);
    }
    if (r.icmpType && ((proto && !proto.neg && proto.v === "icmp") || r.wild)) parts.push(`${n(r.icmpType)}--icmp-type ${r.icmpType.v}`);
    if (r.multiport && (portProto || (r.wild && !KNOWN.restoreChecks))) parts.push(`-m multiport ${r.multiport.neg ? "! " : ""}--${r.multiport.which} ${r.multiport.list.join(",")}`);
    if (r.ct) parts.push(`-m conntrack ${n(r.ct)}--ctstate ${r.ct.v.join(",")}`);
    if (r.state) parts.push(`-m state ${n(r.state)}--state ${r.state.v.join(",")}`);
    if (r.addrtype && (r.addrtype.src || r.addrtype.dst)) {
      const a = r.addrtype;
      // R16: the engine accepts --limit-iface-in/out in any hook (the kernel only where the device exists)
      const limitOk = a.limit && ((r.wild && !KNOWN.restoreChecks) || reach.every((h) => LIMIT_OK[a.limit!].includes(h)));
      const s = [a.src ? `${n(a.src)}--src-type ${a.src.v.join(",")}` : "", a.dst ? `${n(a.dst)}--dst-type ${a.dst.v.join(",")}` : "",
        limitOk ? `--limit-iface-${a.limit}` : ""].filter(Boolean).join(" ");
      parts.push(`-m addrtype ${s}`);
    }
    if (r.comment) parts.push(`-m comment --comment ${q(r.comment)}`);
    if (r.mark && HAVE_MARK_MATCH) parts.push(`-m mark ${n(r.mark)}--mark ${r.mark.v}`);

    // target
    let tg = p.target;
    if (table === "nat" && KNOWN.restoreChecks && tg.k === "verdict" && tg.v === "DROP") tg = { k: "verdict", v: "ACCEPT" };
    if (KNOWN.markTarget && tg.k === "MARK") tg = { k: "LOG", prefix: null };
    const tableOk = (name: string) => (TABLE_OK[name] ?? [table]).includes(table);
    const allowed = (name: string) => (r.wild && (tableOk(name) || !KNOWN.restoreChecks)) || ((TABLE_OK[name] ?? [table]).includes(table) && reach.every((h) => (HOOK_OK[name] ?? [h]).includes(h)));
    if ((tg.k === "DNAT" || tg.k === "SNAT" || tg.k === "MASQUERADE" || tg.k === "REJECT") && !allowed(tg.k)) tg = { k: "verdict", v: "ACCEPT" };
    switch (tg.k) {
      case "verdict": parts.push(`-j ${tg.v}`); break;
      case "jump": parts.push(`${tg.goto ? "-g" : "-j"} ${users[tg.to] ?? "NOSUCHCHAIN"}`); break;
      case "LOG": parts.push(`-j LOG${tg.prefix ? ` --log-prefix ${q(tg.prefix)}` : ""}`); break;
      case "MARK": parts.push(`-j MARK --${tg.op} ${tg.op === "and-mark" || tg.op === "or-mark" ? tg.v.split("/")[0] : tg.v}`); break;
      case "REJECT": {
        const w = tg.with === "tcp-reset" && !(proto && !proto.neg && proto.v === "tcp") && !r.wild ? null : tg.with;
        parts.push(`-j REJECT${w ? ` --reject-with ${w}` : ""}`);
        break;
      }
      case "DNAT": {
        const to = tg.to.includes(":") && !portProto && !wildPorts ? tg.to.split(":")[0]! : tg.to;
        parts.push(`-j DNAT --to-destination ${to}`);
        break;
      }
      case "SNAT": {
        const to = tg.to.includes(":") && !portProto && !wildPorts ? tg.to.split(":")[0]! : tg.to;
        parts.push(`-j SNAT --to-source ${to}`);
        break;
      }
      case "MASQUERADE": parts.push(`-j MASQUERADE${tg.ports && (portProto || wildPorts) ? ` --to-ports ${tg.ports}` : ""}`); break;
      case "none":
        if (KNOWN.emptyRule && parts.length === 1) parts.push("-j RETURN");
        break;
    }
    lines.push(parts.join(" "));
  }

  const head: string[] = [`*${table}`];
  const fence: string[] = [];
  builtins.forEach((c, i) => {
    const policy = t.policies[i] ?? "ACCEPT";
    const declared = !(t.omit[i] && policy === "ACCEPT");
    if (declared) head.push(`:${c} ${policy} [0:0]`);
    if ((declared || placed.some((p) => p.chain === c))) fence.push(`-A ${c} ${FENCE_RULE}`);
  });
  lines.unshift(...fence);
  for (const u of users) head.push(`:${u} - [0:0]`);
  return [...head, ...lines, "COMMIT"].join("\n");
}

/**
 * The harness's fence packets (UDP 127.0.0.1 -> 127.0.0.1:65111, removed from its traces) must survive the
 * ruleset: when a rule drops them, its agent dies on EPERM and every run waits 3 s for the end fence. This
 * rule never matches a generated flow, so it shows up in no trace (engine or kernel).
 */
const FENCE_RULE = "-s 127.0.0.1/32 -d 127.0.0.1/32 -p udp -m udp --dport 65111 -m comment --comment nfk-fence -j ACCEPT";

export const CT_ON = "*security\n:NFK-CT - [0:0]\n-A NFK-CT -m conntrack --ctstate INVALID -j RETURN\nCOMMIT";

export function render(rs: RulesetGen): string {
  const out: string[] = [];
  for (const t of ["raw", "mangle", "filter", "nat"] as TableName[]) {
    const g = rs[t];
    if (g) out.push(renderTable(t, g));
  }
  if (rs.ctOn) out.push(CT_ON);
  return out.join("\n") + "\n";
}
