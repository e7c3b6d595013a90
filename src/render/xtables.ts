// A trace in the style of `xtables-monitor --trace`: what an engineer sees on a real host.
// One PACKET line per base-chain traversal (the packet as it enters it), then its rule and
// policy lines. Rule positions stand where the kernel prints nft handles.
import type { SimulationResult, Trace } from "../result.js";
import { endpoint, answerOf } from "./common.js";

type Step = Trace["steps"][number];

// The kernel prints NAT targets as ACCEPT, REJECT as DROP and non-terminal targets as CONTINUE;
// the rule text still shows the target. Shared with the kernel conformance tests (compare.ts).
const KERNEL_VERDICT: Record<string, string> = {
  DNAT: "ACCEPT", SNAT: "ACCEPT", MASQUERADE: "ACCEPT", REDIRECT: "ACCEPT", NETMAP: "ACCEPT",
  REJECT: "DROP", LOG: "CONTINUE", NFLOG: "CONTINUE", TRACE: "CONTINUE", MARK: "CONTINUE",
  CONNMARK: "CONTINUE", CHECKSUM: "CONTINUE", NOTRACK: "CONTINUE", CT: "CONTINUE", SET: "CONTINUE",
};

/** A step's verdict as xtables-monitor --trace prints it. */
export function kernelVerdict(verdict: string): string {
  return KERNEL_VERDICT[verdict] ?? verdict;
}

function traceId(name: string, n: number): string {
  let h = 0x811c9dc5;
  for (const c of `${name}#${n}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

function packetLine(id: string, s: Step): string {
  const p = s.packet;
  const parts = [`PACKET: 2 ${id}`];
  if (p.in) parts.push(`IN=${p.in}`);
  if (p.out) parts.push(`OUT=${p.out}`);
  parts.push(`SRC=${p.src} DST=${p.dst}`);
  if (p.sport !== null) parts.push(`SPORT=${p.sport} DPORT=${p.dport}`);
  parts.push(`CT=${p.ct}`);
  return parts.join(" ");
}

function traceLine(id: string, s: Step): string {
  if (s.ruleNumber === null) return ` TRACE: 2 ${id} ${s.table}:${s.chain}:policy:${s.verdict.replace(/^policy /, "")}`;
  const verdict = kernelVerdict(s.verdict);
  return ` TRACE: 2 ${id} ${s.table}:${s.chain}:rule:${s.ruleNumber}:${verdict}  ${family(s)} -t ${s.table} ${s.rule}`;
}

// nftables steps (table "ip docker-bridges") as `nft monitor trace` prints them.
const isNft = (s: Step) => s.table.includes(" ");
const NFT_VERDICT: Record<string, string> = { DNAT: "accept", SNAT: "accept", MASQUERADE: "accept", REDIRECT: "accept", REJECT: "drop" };

function nftPacketLine(id: string, s: Step): string {
  const p = s.packet;
  const ip = p.src.includes(":") ? "ip6" : "ip";
  const dev = `${p.in ? `iif "${p.in}" ` : ""}${p.out ? `oif "${p.out}" ` : ""}`;
  const ports = p.sport !== null ? ` th sport ${p.sport} th dport ${p.dport}` : "";
  return `trace id ${id} ${s.table} ${s.chain} packet: ${dev}${ip} saddr ${p.src} ${ip} daddr ${p.dst}${ports}`;
}

function nftTraceLine(id: string, s: Step): string {
  if (s.ruleNumber === null) return `trace id ${id} ${s.table} ${s.chain} ${s.rule}`;
  const [kind, chain] = s.verdict.split(":");
  const verdict = chain ? `${kind!.toLowerCase()} ${chain}` : NFT_VERDICT[s.verdict] ?? s.verdict.toLowerCase();
  return `trace id ${id} ${s.table} ${s.chain} rule ${s.rule} (verdict ${verdict})`;
}

/** A base chain's run ends with a terminal verdict or its policy; a jump or continue does not. */
const endsNftChain = (s: Step) => s.ruleNumber === null || !/^(JUMP|GOTO):|^(CONTINUE|RETURN)$/.test(s.verdict);

const NAT_VERDICTS = new Set(["DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP"]);

/**
 * The packet as it entered the base chain, which is what the kernel prints. A step holds the
 * packet after its rule, so when the chain's first rule NATs, the addresses are the previous
 * step's: the same packet one hook earlier in this namespace, or as it left the namespace before
 * (a REDIRECT in a swarm task's namespace). Across namespaces it is the same packet only if the
 * side the NAT leaves alone matches (DNAT/REDIRECT keep the source, SNAT/MASQUERADE the
 * destination): a VXLAN outer packet before the inner one is not.
 */
export function entryPacket(s: Step, prev: Step | undefined): Step["packet"] {
  if (!prev || !NAT_VERDICTS.has(s.verdict) || !samePacket(s, prev)) return { ...s.packet };
  const { src, sport, dst, dport } = prev.packet;
  return { ...s.packet, src, sport, dst, dport };
}

function samePacket(s: Step, prev: Step): boolean {
  const a = s.packet, b = prev.packet;
  if (a.proto !== b.proto) return false; // a VXLAN outer packet and the inner one it carries
  if (prev.namespace === s.namespace) return true;
  return /^(SNAT|MASQUERADE)$/.test(s.verdict) ? a.dst === b.dst && a.dport === b.dport : a.src === b.src && a.sport === b.sport;
}

/**
 * The step before `steps[i]` that carries the same packet: a VXLAN outer packet (udp 4789, with
 * `proto`) between two steps of the inner one is skipped, so a task's first-rule REDIRECT after
 * the tunnel finds the inner packet as the sending node last saw it.
 */
export function previousStep(steps: Step[], i: number): Step | undefined {
  for (let k = i - 1; k >= 0; k--) if (steps[k]!.packet.proto === steps[i]!.packet.proto) return steps[k];
  return undefined;
}

/** ip6tables rules print as -6 in xtables-monitor; the family is the packet's. */
const family = (s: Step) => (s.packet.src.includes(":") ? "-6" : "-4");

export function renderSteps(name: string, steps: Step[]): string[] {
  const out: string[] = [];
  let n = 0;
  let id = "";
  let last = "";
  let nftDone = false;
  steps.forEach((s, i) => {
    if (isNft(s)) {
      const traversal = `${s.namespace}/${s.hook}/${s.table}`;
      if (traversal !== last || nftDone) {
        id = traceId(name, n++);
        if (s.namespace !== "host") out.push(`# in namespace ${s.namespace}`);
        out.push(nftPacketLine(id, s));
      }
      last = traversal;
      nftDone = endsNftChain(s);
      out.push(nftTraceLine(id, s));
      return;
    }
    const traversal = `${s.namespace}/${s.hook}/${s.table}`;
    // A new traversal starts at a new hook or table, or when a base chain is entered again.
    if (traversal !== last || s.chain === s.hook && s.ruleNumber === 1) {
      id = traceId(name, n++);
      if (s.namespace !== "host") out.push(`# in namespace ${s.namespace}`);
      out.push(packetLine(id, { ...s, packet: entryPacket(s, previousStep(steps, i)) }));
    }
    last = traversal;
    out.push(traceLine(id, s));
  });
  return out;
}

export function renderXtablesTrace(result: SimulationResult): string {
  const out: string[] = [];
  for (const t of result.traces) {
    out.push(`# flow: ${t.name}`);
    out.push(`# verdict: ${t.verdict}${t.deliveredTo ? ` -> ${t.deliveredTo.namespace} ${endpoint(t.deliveredTo.ip, t.deliveredTo.port)}` : ""}${t.reason ? ` (${t.reason})` : ""}; connects: ${t.connects}`);
    out.push(...renderSteps(t.name, t.steps));
    const answer = answerOf(t);
    if (answer) {
      out.push(`# reply: ${answer.verdict}`);
      out.push(...renderSteps(`${t.name} reply`, answer.steps));
    }
    out.push("");
  }
  return out.join("\n");
}
