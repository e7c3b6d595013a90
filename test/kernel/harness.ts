/**
 * Kernel side of the differential conformance suite.
 *
 * runKernelFlow() rebuilds a simulated scenario out of real Linux network namespaces (a "docker host" netns
 * with bridges + an iptables-save ruleset, one netns per container, an "external" netns), sends ONE flow
 * through it and returns the kernel's own per-rule netfilter trace (xtables-monitor --trace), parsed into
 * packets (one per base-chain/hook traversal) and rule lines whose text is exactly what iptables-save prints,
 * so it can be compared with the engine's trace.
 *
 * Adapted from the oracle toolkit (/work/shared/oracle: kernel-trace.sh, bin/oracle-echo.py,
 * bin/trace-normalize.py). Only node: built-ins are used; helper processes are python3 (nfk_helper.py).
 *
 * SAFETY: everything (rules, sysctls, servers) lives in namespaces named `nfk-<our pid>-<n>-<role>`
 * that this module creates and always deletes. The root netns ruleset (iptables-save + nft list ruleset)
 * must be empty before and after every run, otherwise we abort. There is no link and no route between our
 * namespaces and the root namespace: the only veths connect our own namespaces with each other.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------------------

export interface KernelTopology {
  host: {
    /** The first interface with a gateway is a veth to the "external" netns (whose eth0 gets the gateway
     *  address); other interfaces become dummy links; name "lo" just adds the address to lo. */
    interfaces: { name: string; address: string /* cidr */; gateway?: string; mac?: string;
      /** IPv6 address (cidr, added with nodad) and IPv6 gateway (on the ext side of the veth). */
      address6?: string; gateway6?: string }[];
    sysctl?: Record<string, string | number>;
  };
  /** "internet" client/server IP; lives on lo of the ext netns. Flows `from: "external"` use it as source. */
  external: { ip: string; /** the IPv6 "internet" address (on ext lo) */ ip6?: string;
    /** sysctls of the ext netns (e.g. arp_announce=2: ARP asks from the gateway address, like a router) */
    sysctl?: Record<string, string | number>;
    /** more addresses (cidr) on ext eth0, e.g. the router of a macvlan LAN */ lanAddresses?: string[] };
  bridges: { name: string; address: string /* cidr */; hairpin?: boolean; routeLocalnet?: boolean; mac?: string; address6?: string }[];
  containers: {
    name: string; bridge: string; ip: string; prefix: number; mac: string; gateway: string;
    rules?: string; // iptables-save text restored inside the container netns
    /** IPv6: address, prefix length, default gateway; ip6tables-save text for the container netns */
    ip6?: string; prefix6?: number; gateway6?: string; rules6?: string;
    /** eth0 is a macvlan child of this host interface instead of a veth on `bridge` (ignored then);
     *  gateway "" = no default route. */
    macvlan?: { parent: string; mode: "bridge" | "private" | "vepa" | "passthru" };
  }[];
  /** iptables-save text restored (iptables-restore) into the host netns. */
  hostRules: string;
  /** `ipset save` text restored (`ipset restore`) into the host netns before its rules (needs ipset). */
  hostIpsets?: string;
  /** ip6tables-save text restored (ip6tables-restore) into the host netns. */
  hostRules6?: string;
  /** An nft script (`nft list ruleset` text) loaded with `nft -f` into the host netns. With it, the host
   *  is traced with `nft monitor trace` (meta nftrace set 1 at priority -350 of prerouting and output)
   *  and nftables rules come back as nft prints them (table "ip docker-bridges", counters without numbers). */
  hostNft?: string;
  /** docker-proxy emulation (userland relay in the host netns, kernel-chosen source address). */
  proxies: { hostIp: string; hostPort: number; proto: "tcp" | "udp"; containerIp: string; containerPort: number }[];
  listeners: { ns: string /* "host" | "external" | container name */; ip: string; port: number; proto: "tcp" | "udp" }[];
}

export interface KernelFlow {
  from: string; // "external" | "host" | container name
  dstIp: string; // IPv4 or IPv6
  dstPort: number;
  /** "icmp": one echo request (ICMPv6 for an IPv6 dstIp), dstPort ignored */
  proto: "tcp" | "udp" | "icmp";
  /** source address to bind; default: topology.external.ip for "external", kernel's choice otherwise */
  srcIp?: string;
}

export interface KernelTraceLine {
  table: string;
  chain: string;
  /** "return" = nft NFT_TRACETYPE_RETURN (not seen with iptables-nft so far: falling off the end of a
   *  user chain prints nothing, the next line is simply the caller's next matching rule). */
  kind: "rule" | "policy" | "return";
  /** "-A CHAIN ..." exactly as iptables-save prints it (without "-4 -t TABLE "), null for policy lines */
  rule: string | null;
  /** ACCEPT DROP RETURN JUMP:X GOTO:X CONTINUE ... as printed (0xfffffffb mapped to RETURN).
   *  NB: NAT targets (DNAT/SNAT/MASQUERADE) and REDIRECT are printed as ACCEPT by the kernel. */
  verdict: string;
  /** nft rule handle (informational, differs between runs/rulesets) */
  handle?: string;
}

export interface KernelPacket {
  /** kernel trace id (per skb; NOT unique per KernelPacket: one skb crosses several hooks) */
  id: string;
  ns: string; // "host" or a traced container name
  in: string | null;
  out: string | null;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: string; // "SYN", "SYN ACK", "" (udp/icmp)
  proto: "tcp" | "udp" | "icmp" | "other";
  lines: KernelTraceLine[];
  /** the raw PACKET: line (MACs, TTL, ...) for debugging */
  header: string;
}

export interface KernelResult {
  packets: KernelPacket[];
  clientResult: string; // "OK <server reply>" | "FAIL <error>"
  connected: boolean;
  /** IP address (no port) the server saw as peer, parsed from the echo reply */
  peerSeenByServer?: string;
  /** things worth knowing about this run (modprobe, pruned chains, auto listeners ...) */
  notes: string[];
  /** wall-clock ms per phase */
  timing: Record<string, number>;
  /** the unfiltered xtables-monitor output per traced netns (only with opts.keepRaw) */
  raw?: Record<string, string>;
}

export interface KernelRunOptions {
  /** overall budget for the run (default 30000 ms); every single command also has its own timeout */
  timeoutMs?: number;
  /** client connect/recv timeout (default 2500 ms; a DROPped TCP SYN is retransmitted after 1 s, so a
   *  failing TCP flow shows the SYN 2-3 times, like the oracle's traces) */
  clientTimeoutMs?: number;
  /**
   * Delete builtin (base) chains that have zero rules and policy ACCEPT after iptables-restore (default true).
   * WHY: iptables-nft creates nft base chains lazily. dockerd adds rules one by one, so a chain it never
   * touches (filter INPUT/OUTPUT, nat INPUT) does not exist in the kernel. iptables-save however prints
   * every builtin chain ("-P INPUT ACCEPT" / ":INPUT ACCEPT [0:0]") whether it exists or not, and
   * iptables-restore of that text creates all of them. A base chain that exists is traversed and shows up
   * as "table:CHAIN:policy:ACCEPT" in the trace. Semantics are identical, only the trace differs; pruning
   * reproduces the real daemon's kernel state (oracle kernel-trace-demo: identical traces with pruning).
   */
  pruneEmptyBuiltins?: boolean;
  /** ext netns routes to container subnets via the host (for "direct routed access" flows).
   *  true = 172.16.0.0/12 (like the oracle), or a list of CIDRs. Default false. */
  extRoutesToContainers?: boolean | string[];
  /** also instrument + trace these container namespaces (packets get ns = container name). Cross-netns
   *  ordering is by arrival time of the monitor lines in node (approximate). */
  traceContainers?: string[];
  /** start echo listeners automatically for proxy backends, DNAT targets and the flow destination (default true) */
  autoListeners?: boolean;
  /** also TRACE TCP packets with RST set (default false: only SYN and SYN-ACK of TCP are traced) */
  traceResets?: boolean;
  /** keep instrumentation lines (TRACE rules, raw chains created only for tracing) - debugging only */
  keepInstrumentation?: boolean;
  /** keep packets whose lines were all instrumentation (default false: they are dropped) */
  keepEmptyPackets?: boolean;
  /** return the raw xtables-monitor output */
  keepRaw?: boolean;
  /** extra delay after the client finished before the end fence (default 150 ms) */
  settleMs?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------------------

const HELPER = join(dirname(fileURLToPath(import.meta.url)), "nfk_helper.py");
const PY = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; // avoid slow pyenv shims
const NS_PREFIX = "nfk-";
/** UDP port of the start/end fence packets (outside the default ephemeral range 32768-60999) */
const MARK_PORT = 65111;
const BUILTIN_CHAINS = new Set(["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]);
/** instrumentation rules, exactly as iptables-save prints them (used to recognise them in the trace) */
const TRACE_RULES = (chain: string) => [
  `-A ${chain} -p tcp -m tcp --tcp-flags SYN SYN -j TRACE`, // SYN and SYN-ACK of every TCP connection
  `-A ${chain} -p udp -j TRACE`, // all UDP
  `-A ${chain} -p icmp -j TRACE`, // ICMP (unreachables from REJECT etc.)
];
/** ip6tables instrumentation (traced with nft monitor trace, see nftTranslator). */
const TRACE_RULES6 = (chain: string) => [
  `-A ${chain} -p tcp -j TRACE`, // non-SYN packets are dropped from the result (isV6Noise)
  `-A ${chain} -p udp -j TRACE`,
  `-A ${chain} -p ipv6-icmp -j TRACE`, // neighbour discovery is dropped from the result (isV6Noise)
];
/** With opts.traceResets: TCP resets too (REJECT --reject-with tcp-reset, closed ports). */
const TRACE_RST = (chain: string) => `-A ${chain} -p tcp -m tcp --tcp-flags RST RST -j TRACE`;
const INSTRUMENTATION = new Set([...TRACE_RULES("PREROUTING"), ...TRACE_RULES("OUTPUT"), ...TRACE_RULES6("PREROUTING"), ...TRACE_RULES6("OUTPUT"), TRACE_RST("PREROUTING"), TRACE_RST("OUTPUT")]);
const ALLOWED_SYSCTL = /^net\.(ipv4|ipv6|bridge|netfilter)\.[A-Za-z0-9_.\-]+$/;

// ---------------------------------------------------------------------------------------------------------
// Process helpers (every command bounded by a timeout)
// ---------------------------------------------------------------------------------------------------------

interface RunResult { code: number | null; stdout: string; stderr: string; timedOut: boolean }

function run(cmd: string, args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "", stderr = "", timedOut = false;
    const t = setTimeout(() => { timedOut = true; p.kill("SIGKILL"); }, o.timeoutMs ?? 5000);
    p.stdout!.on("data", (d) => (stdout += d));
    p.stderr!.on("data", (d) => (stderr += d));
    p.on("error", (e) => { stderr += String(e); });
    p.on("close", (code) => { clearTimeout(t); resolve({ code, stdout, stderr, timedOut }); });
    p.stdin!.on("error", () => {});
    p.stdin!.end(o.input ?? "");
  });
}

async function must(cmd: string, args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(cmd, args, o);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.timedOut ? "timeout" : "rc=" + r.code}): ${r.stderr.trim()}`);
  }
  return r.stdout;
}

function nsArgs(ns: string, argv: string[]): string[] { return ["netns", "exec", ns, ...argv]; }

/** A long-lived child (listener, proxy, monitor, agent) inside one of our namespaces. */
class Bg {
  readonly proc: ChildProcess;
  readonly lines: { t: number; line: string }[] = [];
  private buf = "";
  private waiters: (() => void)[] = [];
  exited = false;
  stderr = "";
  /** transform: rewrites each stdout line into zero or more lines (nft trace -> xtables-monitor form). */
  constructor(readonly name: string, ns: string, argv: string[], transform?: (line: string) => string[]) {
    // `ip netns exec` exec()s the program, so proc.pid is the program itself (we kill exactly that pid).
    this.proc = spawn("ip", nsArgs(ns, argv), { stdio: ["pipe", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d: Buffer) => {
      this.buf += d.toString();
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, i);
        for (const l of transform ? transform(line) : [line]) this.lines.push({ t: performance.now(), line: l });
        this.buf = this.buf.slice(i + 1);
      }
      const w = this.waiters; this.waiters = []; w.forEach((f) => f());
    });
    this.proc.stderr!.on("data", (d) => (this.stderr += d));
    this.proc.stdin!.on("error", () => {});
    this.proc.on("error", (e) => { this.stderr += String(e); });
    this.proc.on("exit", () => { this.exited = true; const w = this.waiters; this.waiters = []; w.forEach((f) => f()); });
  }
  /** wait until pred(lines) is true; false on timeout or exit */
  async waitFor(pred: (lines: { t: number; line: string }[]) => boolean, timeoutMs: number): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!pred(this.lines)) {
      if (this.exited) return false;
      const left = end - performance.now();
      if (left <= 0) return false;
      await new Promise<void>((res) => { const t = setTimeout(res, left); this.waiters.push(() => { clearTimeout(t); res(); }); });
    }
    return true;
  }
  send(s: string) { this.proc.stdin!.write(s); }
  async stop(): Promise<void> {
    if (this.exited || this.proc.pid === undefined) return;
    const pid = this.proc.pid;
    try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
    const gone = await new Promise<boolean>((res) => {
      const t = setTimeout(() => res(false), 700);
      this.proc.once("exit", () => { clearTimeout(t); res(true); });
      if (this.exited) { clearTimeout(t); res(true); }
    });
    if (!gone) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Availability + safety
// ---------------------------------------------------------------------------------------------------------

function which(bin: string): string | null {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
  for (const d of dirs) if (d && existsSync(`${d}/${bin}`)) return `${d}/${bin}`;
  return null;
}

/** Non-comment lines of the root netns rulesets (iptables-save and nft). Must be empty. */
function rootRulesetDirt(): string | null {
  const ipt = spawnSync("iptables-save", [], { encoding: "utf8", timeout: 5000 });
  if (ipt.status !== 0) return `iptables-save in root netns failed: ${ipt.stderr}`;
  const iptLines = ipt.stdout.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
  if (iptLines.length) return `root netns iptables-save is not empty:\n${iptLines.slice(0, 10).join("\n")}`;
  const nft = spawnSync("nft", ["list", "ruleset"], { encoding: "utf8", timeout: 5000 });
  if (nft.status !== 0) return `nft list ruleset in root netns failed: ${nft.stderr}`;
  if (nft.stdout.trim()) return `root netns nft ruleset is not empty:\n${nft.stdout.split("\n").slice(0, 10).join("\n")}`;
  return null;
}

function assertRootClean(when: string) {
  const dirt = rootRulesetDirt();
  if (dirt) throw new Error(`SAFETY ABORT (${when}): ${dirt}`);
}

let availCache: { ok: boolean; reason?: string } | undefined;
/** root + ip netns + iptables-restore + xtables-monitor + nft + python3, netns creation works, root netns clean.
 *  NFPLAY_KERNEL=0 in the environment forces { ok: false }. */
export function kernelAvailable(): { ok: boolean; reason?: string } {
  if (availCache) return availCache;
  const res = ((): { ok: boolean; reason?: string } => {
    if (process.env.NFPLAY_KERNEL === "0") return { ok: false, reason: "disabled by NFPLAY_KERNEL=0" };
    if (process.platform !== "linux") return { ok: false, reason: "not Linux" };
    if (typeof process.getuid !== "function" || process.getuid() !== 0) return { ok: false, reason: "not running as root" };
    for (const b of ["ip", "iptables-restore", "iptables", "xtables-monitor", "nft", "python3"]) {
      if (!which(b)) return { ok: false, reason: `${b} not found (apt-get install -y iptables nftables iproute2 python3)` };
    }
    const v = spawnSync("iptables", ["--version"], { encoding: "utf8", timeout: 5000 });
    if (!/nf_tables/.test(v.stdout)) return { ok: false, reason: `iptables is not iptables-nft: ${v.stdout.trim()}` };
    const dirt = rootRulesetDirt();
    if (dirt) return { ok: false, reason: `SAFETY: ${dirt}` };
    const probe = `${NS_PREFIX}${process.pid}-probe`;
    const add = spawnSync("ip", ["netns", "add", probe], { encoding: "utf8", timeout: 5000 });
    if (add.status !== 0) return { ok: false, reason: `cannot create network namespaces: ${add.stderr.trim()}` };
    spawnSync("ip", ["netns", "del", probe], { timeout: 5000 });
    return { ok: true };
  })();
  availCache = res;
  return res;
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e: any) { return e?.code === "EPERM"; }
}

/** Remove namespaces (and the processes inside them) left behind by harness runs whose node process died. */
export async function cleanupStale(): Promise<string[]> {
  const r = await run("ip", ["netns", "list"]);
  const removed: string[] = [];
  for (const line of r.stdout.split("\n")) {
    const name = line.split(" ")[0];
    const m = /^nfk-(\d+)-/.exec(name ?? "");
    if (!m || !name) continue;
    if (Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    await killNsPids(name);
    await run("ip", ["netns", "del", name]);
    removed.push(name);
  }
  return removed;
}

async function killNsPids(ns: string) {
  // only processes inside a namespace we created (helpers of an earlier/failed run), killed by pid
  const p = await run("ip", ["netns", "pids", ns]);
  for (const s of p.stdout.split(/\s+/).filter(Boolean)) {
    const pid = Number(s);
    if (pid > 1 && pid !== process.pid) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
  }
}

// namespaces of in-flight runs, removed synchronously if node exits abruptly
const liveNamespaces = new Set<string>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const ns of liveNamespaces) {
      const p = spawnSync("ip", ["netns", "pids", ns], { encoding: "utf8", timeout: 2000 });
      for (const s of (p.stdout ?? "").split(/\s+/).filter(Boolean)) { try { process.kill(Number(s), "SIGKILL"); } catch { /* */ } }
      spawnSync("ip", ["netns", "del", ns], { timeout: 2000 });
    }
  });
}

// ---------------------------------------------------------------------------------------------------------
// Trace parsing
// ---------------------------------------------------------------------------------------------------------

const TRACE_RE = /^\s*TRACE:\s+\d+\s+([0-9a-f]+)\s+(\w+):(.+?):(rule|policy|return):?(.*)$/;

/** Parse one xtables-monitor TRACE line (exported for tests). */
export function parseTraceLine(line: string): { id: string; line: KernelTraceLine } | null {
  const m = TRACE_RE.exec(line);
  if (!m) return null;
  const [, id, table, chain, kind, rest0] = m as unknown as [string, string, string, string, string, string];
  let rest = rest0;
  let handle: string | undefined;
  if (kind === "rule") {
    const h = /^(0x[0-9a-f]+):/.exec(rest);
    if (h) { handle = h[1]; rest = rest.slice(h[0].length); }
  }
  // verdict runs until the rule text, which xtables-monitor prints after two spaces as "-4 -t TABLE -A ..."
  let verdict: string, rule: string | null = null;
  const r = /^(.*?)\s+-[46] -t \S+ (-A .*)$/.exec(rest);
  if (r) { verdict = r[1]!.trim(); rule = r[2]!.trimEnd(); } else { verdict = rest.trim(); }
  if (verdict === "0xfffffffb") verdict = "RETURN"; // NFT_RETURN printed numerically by xtables-monitor
  return { id, line: { table, chain, kind: kind as KernelTraceLine["kind"], rule, verdict, ...(handle ? { handle } : {}) } };
}

function parseHeader(line: string, ns: string): KernelPacket | null {
  const m = /^PACKET:\s+\d+\s+([0-9a-f]+)\s+(.*)$/.exec(line);
  if (!m) return null;
  const body = m[2]!;
  const kv: Record<string, string> = {};
  for (const x of body.matchAll(/\b([A-Z]+)=(\S*)/g)) kv[x[1]!] = x[2]!;
  // TCP flags are printed as bare words after DPORT=
  const after = body.split(/\bDPORT=\S+/)[1] ?? "";
  const flags = after.trim().split(/\s+/).filter((w) => /^(SYN|ACK|FIN|RST|PSH|URG|ECE|CWR)$/.test(w)).join(" ");
  let proto: KernelPacket["proto"] = "other";
  if (kv.PROTO) proto = kv.PROTO.toLowerCase() === "icmp" ? "icmp" : (kv.PROTO.toLowerCase() as any);
  else if (flags) proto = "tcp";
  else if (kv.SPORT !== undefined) proto = "udp"; // xtables-monitor prints no PROTO= for tcp/udp
  // ICMP headers carry neither PROTO= nor TYPE= (e.g. "OUT=eth0 SRC=.. DST=.. LEN=88 TOS=0xc0 TTL=64 ID=..")
  // and our TRACE rules only select tcp/udp/icmp, so "no ports" means icmp
  else proto = "icmp";
  return {
    id: m[1]!, ns, in: kv.IN ?? null, out: kv.OUT ?? null, src: kv.SRC ?? "", dst: kv.DST ?? "",
    sport: kv.SPORT ? Number(kv.SPORT) : 0, dport: kv.DPORT ? Number(kv.DPORT) : 0, flags, proto, lines: [],
    header: line.trimEnd(),
  };
}

export interface ParseOptions {
  ns?: string;
  /** chains "table:CHAIN" that existed before instrumentation; raw lines of other chains are dropped
   *  (default: drop every raw line, i.e. the ruleset had no raw table) */
  rawChainsBefore?: Set<string>;
  keepInstrumentation?: boolean;
  keepEmptyPackets?: boolean;
  /** drop packets matching this (fence packets) */
  dropPacket?: (p: KernelPacket) => boolean;
}

/** Parse xtables-monitor --trace output into packets (kernel order), removing our instrumentation. */
export function parseTrace(text: string | { t: number; line: string }[], o: ParseOptions = {}): (KernelPacket & { t: number })[] {
  const ns = o.ns ?? "host";
  const lines = typeof text === "string" ? text.split("\n").map((line) => ({ t: 0, line })) : text;
  const packets: (KernelPacket & { t: number })[] = [];
  const lastById = new Map<string, KernelPacket & { t: number }>();
  for (const { t, line } of lines) {
    if (line.startsWith("PACKET:")) {
      const p = parseHeader(line, ns);
      if (!p) continue;
      const pt = Object.assign(p, { t });
      packets.push(pt); lastById.set(p.id, pt);
      continue;
    }
    const tl = parseTraceLine(line) ?? parseNftLine(line);
    if (!tl) continue;
    // attach to the latest PACKET with the same trace id (robust against interleaving of concurrent events)
    const p = lastById.get(tl.id);
    if (!p) continue;
    const l = tl.line;
    if (!o.keepInstrumentation && l.table === "raw") {
      if (l.kind === "rule" && l.rule && INSTRUMENTATION.has(l.rule)) continue;
      const before = o.rawChainsBefore ?? new Set<string>();
      if (!before.has(`raw:${l.chain}`)) continue; // chain exists only because of the TRACE rules
    }
    p.lines.push(l);
  }
  return packets.filter((p) => !(o.dropPacket && o.dropPacket(p)) && (o.keepEmptyPackets || p.lines.length > 0));
}

/** "table:chain:kind:verdict rule" per line, flattened over packets - handy for comparisons. */
export function ruleSequence(packets: KernelPacket[]): string[] {
  return packets.flatMap((p) => p.lines.map((l) => `${l.table}:${l.chain}:${l.kind}:${l.verdict}${l.rule ? " " + l.rule : ""}`));
}

/** Parse a golden oracle trace file (header lines start with '#') like the harness parses its own output.
 *  Golden rulesets have no raw table, so all raw lines are instrumentation. */
export function parseGoldenTrace(path: string, o: ParseOptions = {}): KernelPacket[] {
  const text = readFileSync(path, "utf8").split("\n").filter((l) => !l.startsWith("#")).join("\n");
  return parseTrace(text, o).map(({ t, ...p }) => p);
}

// ---------------------------------------------------------------------------------------------------------
// Topology construction
// ---------------------------------------------------------------------------------------------------------

let runSeq = 0;

function splitCidr(cidr: string): [string, number] {
  const [a, p] = cidr.split("/");
  if (!a || p === undefined || !/^\d+$/.test(p)) throw new Error(`bad cidr ${cidr}`);
  return [a, Number(p)];
}

/** DNAT targets in an iptables-save text: proto + container ip + port (for auto listeners). */
/** `tcp dport 8080 … dnat to 172.17.0.2:80` in nft text. */
function nftDnatTargets(rules: string): { proto: "tcp" | "udp"; ip: string; port: number }[] {
  const out: { proto: "tcp" | "udp"; ip: string; port: number }[] = [];
  for (const l of rules.split("\n")) {
    const p = /\b(tcp|udp) dport (\d+)/.exec(l);
    const t = /\bdnat (?:ip6? )?to (?:\[([0-9a-f:]+)\]|([\d.]+))(?::(\d+))?/.exec(l);
    if (!p || !t) continue;
    out.push({ proto: p[1] as "tcp" | "udp", ip: (t[1] ?? t[2])!, port: t[3] ? Number(t[3]) : Number(p[2]) });
  }
  return out;
}

function dnatTargets(rules: string): { proto: "tcp" | "udp"; ip: string; port: number }[] {
  const out: { proto: "tcp" | "udp"; ip: string; port: number }[] = [];
  for (const l of rules.split("\n")) {
    if (!/-j DNAT\b/.test(l)) continue;
    const p = /-p (tcp|udp)\b/.exec(l);
    const t = /--to-destination ([\d.]+)(?::(\d+))?/.exec(l) ?? /--to-destination \[([0-9a-f:]+)\](?::(\d+))?/.exec(l) ?? /--to-destination ([0-9a-f:]*:[0-9a-f:]*)()$/.exec(l.replace(/ --random| --persistent/g, ""));
    const d = /--dport (\d+)/.exec(l);
    if (!p || !t) continue;
    const port = t[2] ? Number(t[2]) : d ? Number(d[1]) : NaN;
    if (!Number.isNaN(port)) out.push({ proto: p[1] as "tcp" | "udp", ip: t[1]!, port });
  }
  return out;
}

export async function runKernelFlow(topo: KernelTopology, flow: KernelFlow, opts: KernelRunOptions = {}): Promise<KernelResult> {
  const avail = kernelAvailable();
  if (!avail.ok) throw new Error(`kernel harness unavailable: ${avail.reason}`);
  const budget = opts.timeoutMs ?? 30000;
  let timer: NodeJS.Timeout | undefined;
  const ctx = new RunCtx();
  const inner = runInner(ctx, topo, flow, opts);
  try {
    return await Promise.race([
      inner,
      new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`runKernelFlow timed out after ${budget} ms`)), budget); }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
    // On timeout runInner is still running: mark the run aborted (no new namespaces/processes from now on)
    // and let it reach its next step (every command has its own timeout) before removing everything.
    ctx.aborted = true;
    await Promise.race([inner.catch(() => undefined), new Promise((r) => setTimeout(r, 10000))]);
    await ctx.cleanup();
    assertRootClean("after run");
  }
}

class RunCtx {
  readonly prefix = `${NS_PREFIX}${process.pid}-${++runSeq}`;
  namespaces: string[] = [];
  bgs: Bg[] = [];
  aborted = false;
  nsName(role: string) { return `${this.prefix}-${role}`; }
  async addNs(role: string): Promise<string> {
    if (this.aborted) throw new Error("aborted");
    const ns = this.nsName(role);
    await must("ip", ["netns", "add", ns]);
    this.namespaces.push(ns); liveNamespaces.add(ns); installExitHook();
    if (this.aborted) throw new Error("aborted"); // cleanup() may already be running: it re-checks the list
    await must("ip", ["-n", ns, "link", "set", "lo", "up"]);
    return ns;
  }
  bg(name: string, ns: string, argv: string[], transform?: (line: string) => string[]): Bg {
    if (this.aborted) throw new Error("aborted");
    const b = new Bg(name, ns, argv, transform); this.bgs.push(b); return b;
  }
  async cleanup() {
    await Promise.all(this.bgs.map((b) => b.stop()));
    while (this.namespaces.length) {
      const ns = this.namespaces.shift()!;
      await killNsPids(ns); // e.g. a client that is still running
      const r = await run("ip", ["netns", "del", ns]);
      if (r.code !== 0) console.warn(`[kernel harness] ip netns del ${ns} failed: ${r.stderr.trim()}`);
      liveNamespaces.delete(ns);
    }
  }
}

async function runInner(ctx: RunCtx, topo: KernelTopology, flow: KernelFlow, opts: KernelRunOptions): Promise<KernelResult> {
  const notes: string[] = [];
  const timing: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (k: string) => { const n = performance.now(); timing[k] = Math.round(n - t0); t0 = n; };

  assertRootClean("before run");
  for (const s of await cleanupStale()) notes.push(`removed stale namespace ${s}`);

  // ---- namespaces ----
  const H = await ctx.addNs("h");
  const X = await ctx.addNs("x");
  const nsOf = new Map<string, string>([["host", H], ["external", X]]);
  for (const [i, c] of topo.containers.entries()) {
    if (nsOf.has(c.name)) throw new Error(`duplicate/reserved container name ${c.name}`);
    nsOf.set(c.name, await ctx.addNs(`c${i}`));
  }
  const ip = (ns: string, ...a: string[]) => must("ip", ["-n", ns, ...a]);
  const sysctl = async (ns: string, key: string, val: string | number) => {
    if (!ALLOWED_SYSCTL.test(key)) throw new Error(`refusing sysctl ${key}: only per-netns net.ipv4/ipv6/bridge/netfilter keys`);
    await must("ip", nsArgs(ns, ["sysctl", "-qw", `${key}=${val}`]));
  };

  // "default" keys (e.g. net.ipv4.conf.default.rp_filter) are what new devices start with: set them
  // before the devices exist, like a host's boot-time sysctl.conf.
  for (const [k, v] of Object.entries(topo.host.sysctl ?? {})) if (/^net\.ipv[46]\.conf\.default\./.test(k)) await sysctl(H, k, v);

  // ---- IPv6: no duplicate address detection (addresses usable at once), no router advertisements ----
  const v6 = !!(topo.hostRules6 || topo.external.ip6 || topo.host.interfaces.some((i) => i.address6));
  if (v6) {
    for (const ns of nsOf.values())
      for (const k of ["all", "default"]) {
        await sysctl(ns, `net.ipv6.conf.${k}.accept_dad`, 0);
        await sysctl(ns, `net.ipv6.conf.${k}.accept_ra`, 0);
        await sysctl(ns, `net.ipv6.conf.${k}.disable_ipv6`, 0);
      }
  }
  const addr6 = (ns: string, cidr: string, dev: string) => ip(ns, "-6", "addr", "add", cidr, "dev", dev, "nodad");

  // ---- host <-> external ----
  let extConnected = false;
  const hostAddrs: string[] = ["127.0.0.1"];
  for (const itf of topo.host.interfaces) {
    const [addr, plen] = splitCidr(itf.address);
    hostAddrs.push(addr);
    if (itf.name === "lo") { await ip(H, "addr", "add", itf.address, "dev", "lo"); continue; }
    if (itf.gateway && !extConnected) {
      // veth host:<name> <-> ext:eth0; ext eth0 carries the gateway address, ext lo the "internet" address
      await ip(H, "link", "add", itf.name, "type", "veth", "peer", "name", "eth0", "netns", X);
      if (itf.mac) await ip(H, "link", "set", itf.name, "address", itf.mac);
      await ip(H, "addr", "add", itf.address, "dev", itf.name);
      await ip(X, "addr", "add", `${itf.gateway}/${plen}`, "dev", "eth0");
      await ip(H, "link", "set", itf.name, "up");
      await ip(X, "link", "set", "eth0", "up");
      await ip(H, "route", "add", "default", "via", itf.gateway);
      if (itf.address6) {
        await addr6(H, itf.address6, itf.name);
        hostAddrs.push(splitCidr(itf.address6)[0]);
        if (itf.gateway6) {
          await addr6(X, `${itf.gateway6}/${splitCidr(itf.address6)[1]}`, "eth0");
          await ip(H, "-6", "route", "add", "default", "via", itf.gateway6);
        }
      }
      extConnected = true;
      const routes = opts.extRoutesToContainers === true ? ["172.16.0.0/12"] : Array.isArray(opts.extRoutesToContainers) ? opts.extRoutesToContainers : [];
      for (const r of routes) {
        // IPv6 subnets go via the interface's IPv6 address (when it has one).
        if (r.includes(":")) { if (itf.address6) await ip(X, "-6", "route", "add", r, "via", splitCidr(itf.address6)[0]); }
        else await ip(X, "route", "add", r, "via", addr);
      }
    } else {
      await ip(H, "link", "add", itf.name, "type", "dummy");
      if (itf.mac) await ip(H, "link", "set", itf.name, "address", itf.mac);
      await ip(H, "addr", "add", itf.address, "dev", itf.name);
      await ip(H, "link", "set", itf.name, "up");
      if (itf.gateway) notes.push(`interface ${itf.name}: only the first interface with a gateway is connected to ext; ${itf.name} is a dummy`);
    }
  }
  await ip(X, "addr", "add", `${topo.external.ip}/32`, "dev", "lo");
  if (topo.external.ip6) await addr6(X, `${topo.external.ip6}/128`, "lo");
  if (!extConnected) notes.push("no host interface with a gateway: external netns is not connected");

  // ---- bridges + containers ----
  const brByName = new Map(topo.bridges.map((b) => [b.name, b]));
  for (const b of topo.bridges) {
    await ip(H, "link", "add", b.name, "type", "bridge");
    if (b.mac) await ip(H, "link", "set", b.name, "address", b.mac);
    await ip(H, "addr", "add", b.address, "dev", b.name);
    if (b.address6) { await addr6(H, b.address6, b.name); hostAddrs.push(splitCidr(b.address6)[0]); }
    await ip(H, "link", "set", b.name, "up");
    hostAddrs.push(splitCidr(b.address)[0]);
  }
  for (const ext of topo.external.lanAddresses ?? []) await ip(X, "addr", "add", ext, "dev", "eth0");
  for (const [i, c] of topo.containers.entries()) {
    const C = nsOf.get(c.name)!;
    if (c.macvlan) {
      // created on the parent in the host netns, then moved and renamed, as Docker's macvlan driver does
      const child = `mvnfk${i}`;
      await ip(H, "link", "add", child, "link", c.macvlan.parent, "type", "macvlan", "mode", c.macvlan.mode);
      await ip(H, "link", "set", child, "netns", C);
      await ip(C, "link", "set", child, "name", "eth0");
      await ip(C, "link", "set", "eth0", "address", c.mac);
      await ip(C, "addr", "add", `${c.ip}/${c.prefix}`, "dev", "eth0");
      await ip(C, "link", "set", "eth0", "up");
      if (c.gateway) await ip(C, "route", "add", "default", "via", c.gateway);
      continue;
    }
    const br = brByName.get(c.bridge);
    if (!br) throw new Error(`container ${c.name}: unknown bridge ${c.bridge}`);
    const hostSide = `vnfk${i}`; // host-side veth name (not visible in traces: bridged ports show as IN=/OUT=<bridge>)
    await ip(H, "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", C);
    await ip(C, "link", "set", "eth0", "address", c.mac);
    await ip(C, "addr", "add", `${c.ip}/${c.prefix}`, "dev", "eth0");
    await ip(C, "link", "set", "eth0", "up");
    await ip(C, "route", "add", "default", "via", c.gateway);
    if (c.ip6) {
      await addr6(C, `${c.ip6}/${c.prefix6 ?? 64}`, "eth0");
      if (c.gateway6) await ip(C, "-6", "route", "add", "default", "via", c.gateway6);
    }
    await ip(H, "link", "set", hostSide, "master", c.bridge, "up");
    if (br.hairpin) await ip(H, "link", "set", hostSide, "type", "bridge_slave", "hairpin", "on");
  }
  lap("topology");

  // ---- sysctls (host netns only) ----
  await sysctl(H, "net.ipv4.ip_forward", 1);
  let hasBrNf = (await run("ip", nsArgs(H, ["test", "-d", "/proc/sys/net/bridge"]))).code === 0;
  if (!hasBrNf) {
    // br_netfilter is a global module; loading it only makes bridge-nf-call-* available (per netns)
    const mp = await run("modprobe", ["br_netfilter"]);
    notes.push(`modprobe br_netfilter: rc=${mp.code} ${mp.stderr.trim()}`);
    hasBrNf = (await run("ip", nsArgs(H, ["test", "-d", "/proc/sys/net/bridge"]))).code === 0;
  }
  if (hasBrNf) await sysctl(H, "net.bridge.bridge-nf-call-iptables", 1);
  if (hasBrNf && v6) await sysctl(H, "net.bridge.bridge-nf-call-ip6tables", 1);
  else notes.push("br_netfilter unavailable: bridged container<->container traffic is not seen by iptables");
  for (const b of topo.bridges) if (b.routeLocalnet) await sysctl(H, `net.ipv4.conf.${b.name}.route_localnet`, 1);
  for (const [k, v] of Object.entries(topo.host.sysctl ?? {})) await sysctl(H, k, v);
  for (const [k, v] of Object.entries(topo.external.sysctl ?? {})) await sysctl(X, k, v);

  // ---- rules ----
  const prune = opts.pruneEmptyBuiltins ?? true;
  const restore = async (ns: string, rules: string, label: string) => {
    const r = await run("ip", nsArgs(ns, ["iptables-restore"]), { input: rules.endsWith("\n") ? rules : rules + "\n" });
    if (r.code !== 0) throw new Error(`iptables-restore (${label}) failed: ${r.stderr.trim()}`);
    if (prune) {
      const pruned = await pruneEmptyBuiltins(ns);
      if (pruned.length) notes.push(`${label}: pruned empty ACCEPT builtin chains ${pruned.join(" ")}`);
    }
  };
  if (topo.hostIpsets?.trim()) {
    if (!which("ipset")) throw new Error("hostIpsets needs the ipset tool (apt-get install -y ipset)");
    // sets are per netns: they go away with the namespace
    const r = await run("ip", nsArgs(H, ["ipset", "restore"]), { input: topo.hostIpsets.endsWith("\n") ? topo.hostIpsets : topo.hostIpsets + "\n" });
    if (r.code !== 0) throw new Error(`ipset restore (host) failed: ${r.stderr.trim()}`);
  }
  await restore(H, topo.hostRules, "host");
  for (const c of topo.containers) if (c.rules && c.rules.trim()) await restore(nsOf.get(c.name)!, c.rules, c.name);
  const restore6 = async (ns: string, rules: string, label: string) => {
    const r = await run("ip", nsArgs(ns, ["ip6tables-restore"]), { input: rules.endsWith("\n") ? rules : rules + "\n" });
    if (r.code !== 0) throw new Error(`ip6tables-restore (${label}) failed: ${r.stderr.trim()}`);
    if (prune) {
      const pruned = await pruneEmptyBuiltins(ns, "ip6");
      if (pruned.length) notes.push(`${label}: pruned empty ACCEPT ip6 builtin chains ${pruned.join(" ")}`);
    }
  };
  if (topo.hostRules6?.trim()) await restore6(H, topo.hostRules6, "host6");
  if (topo.hostNft?.trim()) await must("ip", nsArgs(H, ["nft", "-f", "-"]), { input: topo.hostNft });
  for (const c of topo.containers) if (c.rules6?.trim()) await restore6(nsOf.get(c.name)!, c.rules6, `${c.name}6`);
  lap("rules");

  // ---- listeners + proxies ----
  const owner = (addr: string): string | null => {
    if (addr === topo.external.ip || addr === topo.external.ip6) return "external";
    for (const itf of topo.host.interfaces) if (itf.gateway === addr || itf.gateway6 === addr) return "external";
    if (addr.startsWith("127.") || addr === "::1" || hostAddrs.includes(addr)) return "host";
    for (const c of topo.containers) if (c.ip === addr || c.ip6 === addr) return c.name;
    for (const a of topo.external.lanAddresses ?? []) if (a.split("/")[0] === addr) return "external";
    return null;
  };
  const listeners = topo.listeners.map((l) => ({ ...l, auto: false }));
  const haveListener = (ns: string, port: number, proto: string) => listeners.some((l) => l.ns === ns && l.port === port && l.proto === proto);
  const proxyFor = (port: number, proto: string) => topo.proxies.some((p) => p.hostPort === port && p.proto === proto);
  if (opts.autoListeners ?? true) {
    const want: { ns: string | null; port: number; proto: "tcp" | "udp" }[] = [];
    for (const p of topo.proxies) want.push({ ns: owner(p.containerIp), port: p.containerPort, proto: p.proto });
    for (const d of dnatTargets(topo.hostRules)) want.push({ ns: owner(d.ip), port: d.port, proto: d.proto });
    for (const d of dnatTargets(topo.hostRules6 ?? "")) want.push({ ns: owner(d.ip), port: d.port, proto: d.proto });
    for (const d of nftDnatTargets(topo.hostNft ?? "")) want.push({ ns: owner(d.ip), port: d.port, proto: d.proto });
    const dOwner = owner(flow.dstIp);
    if (dOwner && flow.proto !== "icmp" && !(dOwner === "host" && proxyFor(flow.dstPort, flow.proto))) want.push({ ns: dOwner, port: flow.dstPort, proto: flow.proto });
    for (const w of want) {
      if (!w.ns || haveListener(w.ns, w.port, w.proto)) continue;
      if (w.ns === "host" && proxyFor(w.port, w.proto)) continue;
      // "::" is a dual-stack wildcard: it answers IPv4 and IPv6 alike.
      const any = v6 ? "::" : "0.0.0.0";
      listeners.push({ ns: w.ns, ip: any, port: w.port, proto: w.proto, auto: true });
      notes.push(`auto listener ${w.ns} ${w.proto} ${any}:${w.port}`);
    }
  }
  const ready: Promise<boolean>[] = [];
  const starting: Bg[] = [];
  for (const l of listeners) {
    const ns = nsOf.get(l.ns);
    if (!ns) throw new Error(`listener in unknown netns ${l.ns}`);
    const b = ctx.bg(`listen ${l.ns} ${l.proto} ${l.ip}:${l.port}`, ns, [PY, "-u", HELPER, "serve", l.proto, l.ip, String(l.port), `server@${l.ns}:${l.port}/${l.proto}`]);
    starting.push(b); ready.push(b.waitFor((ls) => ls.some((x) => x.line === "READY"), 5000));
  }
  for (const p of topo.proxies) {
    const b = ctx.bg(`proxy ${p.proto} ${p.hostIp}:${p.hostPort}->${p.containerIp}:${p.containerPort}`, H,
      [PY, "-u", HELPER, "proxy", p.proto, p.hostIp, String(p.hostPort), p.containerIp, String(p.containerPort)]);
    starting.push(b); ready.push(b.waitFor((ls) => ls.some((x) => x.line === "READY"), 5000));
  }
  const oks = await Promise.all(ready);
  oks.forEach((ok, i) => { if (!ok) throw new Error(`${starting[i]!.name} did not start: ${starting[i]!.stderr.trim()}`); });
  lap("servers");

  // ---- instrumentation + monitors ----
  const traced: { name: string; ns: string }[] = [{ name: "host", ns: H }];
  for (const c of opts.traceContainers ?? []) {
    const ns = nsOf.get(c);
    if (!ns || c === "external" || c === "host") throw new Error(`traceContainers: unknown container ${c}`);
    traced.push({ name: c, ns });
  }
  const mons: { name: string; ns: string; mon: Bg; agent: Bg; rawBefore: Set<string> }[] = [];
  for (const t of traced) {
    // which raw chains exist BEFORE we add TRACE rules: only their lines are kept in the trace
    const chainsBefore = [...(await listChains(t.ns)), ...(v6 ? await listChains(t.ns, "ip6") : [])];
    const rawBefore = new Set(chainsBefore.filter((c) => c.table === "raw").map((c) => `raw:${c.name}`));
    const nftNative = t.name === "host" && !!topo.hostNft?.trim();
    if (nftNative) await must("ip", nsArgs(t.ns, ["nft", "-f", "-"]), { input: nftTraceTable(!!opts.traceResets) });
    for (const ch of nftNative ? [] : ["PREROUTING", "OUTPUT"]) {
      // inserted at the top (-I 1, in reverse) so that user raw rules are still traced after them
      const rules = [...TRACE_RULES(ch), ...(opts.traceResets ? [TRACE_RST(ch)] : [])].reverse();
      for (const r of rules) await must("ip", nsArgs(t.ns, ["iptables", "-t", "raw", "-I", ch, "1", ...r.split(" ").slice(2)]));
      if (v6) for (const r of TRACE_RULES6(ch).slice().reverse()) await must("ip", nsArgs(t.ns, ["ip6tables", "-t", "raw", "-I", ch, "1", ...r.split(" ").slice(2)]));
    }
    if (which("conntrack")) await run("ip", nsArgs(t.ns, ["conntrack", "-F"])); // fresh netns: belt and braces
    const agent = ctx.bg(`agent ${t.name}`, t.ns, [PY, "-u", HELPER, "agent", String(MARK_PORT)]);
    // IPv6: xtables-monitor 1.8.9 cannot print ip6 rules with tcp flags or icmp6 matches (it exits with
    // "Parsing nftables rule failed"), so `nft -a monitor trace` is used and translated (see nftTraceLine).
    const mon = nftNative
      ? ctx.bg(`nft monitor trace ${t.name}`, t.ns, ["nft", "monitor", "trace"], nftNativeTranslator())
      : v6
      ? ctx.bg(`nft monitor trace ${t.name}`, t.ns, ["nft", "-a", "monitor", "trace"], nftTranslator(await ruleTexts(t.ns)))
      : ctx.bg(`xtables-monitor ${t.name}`, t.ns, ["xtables-monitor", "--trace"]);
    mons.push({ name: t.name, ns: t.ns, mon, agent, rawBefore });
  }
  for (const m of mons) {
    if (!(await m.agent.waitFor((ls) => ls.some((x) => x.line === "READY"), 5000))) throw new Error(`agent in ${m.name} did not start: ${m.agent.stderr}`);
    // start fence: xtables-monitor prints nothing when it is subscribed, so poke it until it shows a packet
    if (!(await waitForMarker(m.mon, m.agent, 5000))) throw new Error(`xtables-monitor in ${m.name} shows no trace: ${m.mon.stderr}`);
  }
  const startIdx = mons.map((m) => m.mon.lines.length);
  lap("instrument");

  // ---- the flow ----
  const fromNs = nsOf.get(flow.from);
  if (!fromNs) throw new Error(`flow.from: unknown netns ${flow.from}`);
  const extSrc = flow.dstIp.includes(":") ? (topo.external.ip6 ?? "") : topo.external.ip;
  const src = flow.srcIp ?? (flow.from === "external" ? extSrc : "");
  const ct = (opts.clientTimeoutMs ?? 2500) / 1000;
  const cr = await run("ip", nsArgs(fromNs, [PY, HELPER, "connect", flow.proto, flow.dstIp, String(flow.dstPort), String(ct), src]),
    { timeoutMs: (opts.clientTimeoutMs ?? 2500) + 5000 });
  const clientResult = (cr.stdout.trim() || `FAIL client ${cr.timedOut ? "timeout" : "rc=" + cr.code}: ${cr.stderr.trim()}`).split("\n").pop()!;
  lap("flow");

  // ---- end fence + parse ----
  await new Promise((r) => setTimeout(r, opts.settleMs ?? 150));
  for (const m of mons) {
    if (!(await waitForMarker(m.mon, m.agent, 3000))) notes.push(`end fence not seen in ${m.name}: trace may be incomplete`);
  }
  const packets: (KernelPacket & { t: number })[] = [];
  const raw: Record<string, string> = {};
  mons.forEach((m, i) => {
    const lines = m.mon.lines.slice(startIdx[i]);
    if (opts.keepRaw) raw[m.name] = lines.map((l) => l.line).join("\n");
    packets.push(...parseTrace(lines, {
      ns: m.name, rawChainsBefore: m.rawBefore, keepInstrumentation: opts.keepInstrumentation,
      keepEmptyPackets: opts.keepEmptyPackets, dropPacket: v6 ? (p) => isMarker(p) || isV6Noise(p) : isMarker,
    }));
  });
  if (mons.length > 1) packets.sort((a, b) => a.t - b.t); // stable: per-netns kernel order is preserved
  lap("trace");

  const peer = /\bpeer=([\d.]+|[0-9a-f:]+):\d+/.exec(clientResult);
  const res: KernelResult = {
    packets: packets.map(({ t, ...p }) => p),
    clientResult, connected: clientResult.startsWith("OK"),
    ...(peer ? { peerSeenByServer: peer[1] } : {}),
    notes, timing,
  };
  if (opts.keepRaw) res.raw = raw;
  return res;
}

// ---------------------------------------------------------------------------------------------------------
// IPv6 tracing through `nft -a monitor trace`
// ---------------------------------------------------------------------------------------------------------

/** "family table chain handle" -> "-A CHAIN ..." as ip(6)tables-save prints it: the nth rule of a chain in
 *  nft's listing is the nth -A line of that chain in the save output. */
async function ruleTexts(ns: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for (const [family, save] of [["ip", "iptables-save"], ["ip6", "ip6tables-save"]] as const) {
    const saved = await must("ip", nsArgs(ns, [save]));
    const byChain = new Map<string, string[]>();
    let table = "";
    for (const l of saved.split("\n")) {
      if (l.startsWith("*")) table = l.slice(1);
      const m = /^-A (\S+)/.exec(l);
      if (m) { const k = `${table} ${m[1]}`; byChain.set(k, [...(byChain.get(k) ?? []), l.trimEnd()]); }
    }
    const out = await must("ip", nsArgs(ns, ["nft", "-a", "-j", "list", "ruleset", family]));
    const seen = new Map<string, number>();
    for (const o of (JSON.parse(out || "{}").nftables ?? []) as any[]) {
      const r = o.rule;
      if (!r) continue;
      const k = `${r.table} ${r.chain}`;
      const n = seen.get(k) ?? 0; seen.set(k, n + 1);
      const text = byChain.get(k)?.[n];
      if (text) map.set(`${family} ${k} ${r.handle}`, text);
    }
  }
  return map;
}

const TCP_FLAG_BITS: [number, string][] = [[0x01, "FIN"], [0x02, "SYN"], [0x04, "RST"], [0x08, "PSH"], [0x10, "ACK"], [0x20, "URG"], [0x40, "ECE"], [0x80, "CWR"]];

/** nft trace lines -> the xtables-monitor lines parseTrace reads ("PACKET: 10 id ..." / " TRACE: 10 id ..."). */
function nftTranslator(rules: Map<string, string>): (line: string) => string[] {
  return (line) => {
    const m = /^trace id ([0-9a-f]+) (ip6?) (\S+) (\S+) (packet|rule|policy|verdict):? ?(.*)$/.exec(line.trimEnd());
    if (!m) return [];
    const [, id, family, table, chain, kind, rest] = m as unknown as string[];
    const nfproto = family === "ip6" ? 10 : 2;
    if (kind === "packet") {
      const kv: string[] = [];
      const iif = /\biif "([^"]+)"/.exec(rest!); if (iif) kv.push(`IN=${iif[1]}`);
      const oif = /\boif "([^"]+)"/.exec(rest!); if (oif) kv.push(`OUT=${oif[1]}`);
      const src = /\bip6? saddr (\S+)/.exec(rest!); if (src) kv.push(`SRC=${src[1]}`);
      const dst = /\bip6? daddr (\S+)/.exec(rest!); if (dst) kv.push(`DST=${dst[1]}`);
      const sp = /\b(?:tcp|udp) sport (\d+)/.exec(rest!); if (sp) kv.push(`SPORT=${sp[1]}`);
      const dp = /\b(?:tcp|udp) dport (\d+)/.exec(rest!); if (dp) kv.push(`DPORT=${dp[1]}`);
      // neighbour discovery, MLD and router messages are not simulated: marked, then dropped (isV6Noise)
      if (/\bicmpv6 type (nd-|mld|ind-|router-)/.test(rest!)) kv.push("NDISC=1");
      const f = /\btcp flags == (\S+(?: \| \S+)*)/.exec(rest!);
      if (f) {
        const v = f[1]!;
        const bits = /^0x[0-9a-f]+$/.test(v) ? Number(v) : v.split(" | ").reduce((a, n) => a | (TCP_FLAG_BITS.find(([, x]) => x === n.toUpperCase())?.[0] ?? 0), 0);
        kv.push(...TCP_FLAG_BITS.filter(([b]) => bits & b).map(([, n]) => n));
      }
      return [`PACKET: ${nfproto} ${id} ${kv.join(" ")}`];
    }
    // "policy accept meta mark 0x00000006": only the verdict
    if (kind === "policy") return [` TRACE: ${nfproto} ${id} ${table}:${chain}:policy:${rest!.trim().split(" ")[0]!.toUpperCase()}`];
    if (kind !== "rule") return []; // "verdict continue" at the end of a user chain: xtables-monitor prints nothing either
    const h = /# handle (\d+)/.exec(rest!);
    const v = /\(verdict ([^)]+)\)\s*$/.exec(rest!);
    const verdictText = (v?.[1] ?? "continue").trim();
    const [vk, vt] = verdictText.split(" ");
    const verdict = vk === "jump" || vk === "goto" ? `${vk.toUpperCase()}:${vt}` : vk!.toUpperCase();
    const text = h ? rules.get(`${family} ${table} ${chain} ${h[1]}`) : undefined;
    const fam = family === "ip6" ? "-6" : "-4";
    return [` TRACE: ${nfproto} ${id} ${table}:${chain}:rule:0x${Number(h?.[1] ?? 0).toString(16)}:${verdict}  ${fam} -t ${table} ${text ?? `-A ${chain} <handle ${h?.[1]}>`}`];
  };
}

// ---------------------------------------------------------------------------------------------------------
// Native nftables rules (hostNft): `nft monitor trace`, rules kept in nft's own words
// ---------------------------------------------------------------------------------------------------------

/** The instrumentation: its own inet table, before everything else (raw is -300); never in the result.
 *  Like the TRACE rules: SYN and SYN-ACK, UDP, ICMP, and with traceResets TCP resets. */
function nftTraceTable(resets: boolean): string {
  const rules = `tcp flags & syn == syn meta nftrace set 1; ${resets ? "tcp flags & rst == rst meta nftrace set 1; " : ""}meta l4proto { udp, icmp } meta nftrace set 1;`;
  return `table inet nfk-trace {
\tchain pre { type filter hook prerouting priority -350; policy accept; ${rules} }
\tchain out { type filter hook output priority -350; policy accept; ${rules} }
}
`;
}

/** " NFT: id<TAB>family table<TAB>chain<TAB>kind<TAB>verdict<TAB>rule" (what nftNativeTranslator writes). */
function parseNftLine(line: string): { id: string; line: KernelTraceLine } | null {
  if (!line.startsWith(" NFT: ")) return null;
  const [id, table, chain, kind, verdict, rule] = line.slice(6).split("\t") as [string, string, string, KernelTraceLine["kind"], string, string];
  return { id, line: { table, chain, kind, verdict, rule: kind === "rule" ? rule : null } };
}

/** nft trace lines: packets as xtables-monitor PACKET lines, rules and policies as " NFT:" lines. */
function nftNativeTranslator(): (line: string) => string[] {
  const packets = nftTranslator(new Map());
  return (line) => {
    const m = /^trace id ([0-9a-f]+) (ip6?|inet) (\S+) (\S+) (packet|rule|policy|verdict):? ?(.*)$/.exec(line.trimEnd());
    if (!m) return [];
    const [, id, family, table, chain, kind, rest] = m as unknown as string[];
    if (kind === "packet") return packets(line.replace(/^(trace id \S+) inet /, "$1 ip "));
    if (table === "nfk-trace" || (kind !== "rule" && kind !== "policy")) return [];
    if (kind === "policy") return [` NFT: ${id}\t${family} ${table}\t${chain}\tpolicy\t${rest!.trim().split(" ")[0]!.toUpperCase()}\t`];
    const v = /^(.*) \(verdict ([^)]+)\)$/.exec(rest!.trim());
    const [vk, vt] = (v?.[2] ?? "continue").split(" ");
    const verdict = vk === "jump" || vk === "goto" ? `${vk.toUpperCase()}:${vt}` : vk!.toUpperCase();
    const rule = (v?.[1] ?? rest!).replace(/ counter packets \d+ bytes \d+/g, " counter").replace(/^counter packets \d+ bytes \d+/, "counter").trim();
    return [` NFT: ${id}\t${family} ${table}\t${chain}\trule\t${verdict}\t${rule}`];
  };
}

/** IPv6 packets the IPv4 instrumentation would not trace: TCP without SYN, multicast, neighbour discovery. */
function isV6Noise(p: KernelPacket): boolean {
  if (!p.src.includes(":")) return false;
  if (p.dst.toLowerCase().startsWith("ff") || p.header.includes("NDISC=1")) return true;
  return p.proto === "tcp" && !p.flags.split(" ").includes("SYN");
}

function isMarker(p: KernelPacket): boolean {
  return p.proto === "udp" && p.dport === MARK_PORT && p.src === "127.0.0.1" && p.dst === "127.0.0.1";
}

/** Send fence packets through the agent until the monitor has printed one (after the current position). */
async function waitForMarker(mon: Bg, agent: Bg, timeoutMs: number): Promise<boolean> {
  const from = mon.lines.length;
  const end = performance.now() + timeoutMs;
  const seen = (ls: { line: string }[]) => ls.slice(from).some((x) => x.line.startsWith("PACKET:") && x.line.includes(`DPORT=${MARK_PORT}`));
  while (performance.now() < end) {
    agent.send("mark\n");
    if (await mon.waitFor(seen, 250)) return true;
  }
  return false;
}

async function listChains(ns: string, family: "ip" | "ip6" = "ip"): Promise<{ table: string; name: string; hook?: string; policy?: string }[]> {
  const out = await must("ip", nsArgs(ns, ["nft", "-j", "list", "chains", family]));
  const j = JSON.parse(out || "{}") as { nftables?: any[] };
  return (j.nftables ?? []).filter((x) => x.chain).map((x) => x.chain);
}

/** see KernelRunOptions.pruneEmptyBuiltins */
async function pruneEmptyBuiltins(ns: string, family: "ip" | "ip6" = "ip"): Promise<string[]> {
  const out = await must("ip", nsArgs(ns, ["nft", "-j", "list", "ruleset", family]));
  const objs = (JSON.parse(out || "{}").nftables ?? []) as any[];
  const ruleCount = new Map<string, number>();
  for (const o of objs) if (o.rule) ruleCount.set(`${o.rule.table}:${o.rule.chain}`, (ruleCount.get(`${o.rule.table}:${o.rule.chain}`) ?? 0) + 1);
  const del: string[] = [];
  for (const o of objs) {
    const c = o.chain;
    if (!c || !c.hook || !BUILTIN_CHAINS.has(c.name) || c.policy !== "accept") continue;
    if ((ruleCount.get(`${c.table}:${c.name}`) ?? 0) > 0) continue;
    del.push(`${c.table}:${c.name}`);
  }
  if (del.length) {
    const script = del.map((d) => { const [t, n] = d.split(":"); return `delete chain ${family} ${t} ${n}`; }).join("\n") + "\n";
    await must("ip", nsArgs(ns, ["nft", "-f", "-"]), { input: script });
  }
  return del;
}
