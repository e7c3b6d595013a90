// `iptables …` / `ip6tables …` lines among a tutorial's commands: the user's own rules (the Docker
// docs' DOCKER-USER example), applied to the host's ruleset in order with the docker operations
// by src/docker/user-iptables.ts. Listing commands (-L, -S) change nothing and are skipped.
import { impossible, invalid } from "../errors.js";
import type { LifecycleOp } from "../docker/lifecycle.js";

/** The binaries a line may start with (iptables-legacy and iptables-nft write the same rules here). */
export const IPTABLES = /^ip6?tables(-legacy|-nft)?$/;

const LISTING = /^(-[nvxLS]*[LS][nvx]*|--list|--list-rules|-Z|--zero)$/;

export type IptablesOp = Extract<LifecycleOp, { op: "iptables" }>;

/** argv of one line ("iptables", "-I", "DOCKER-USER", …) -> the operation, or null for a listing. */
export function iptablesOp(argv: string[], at: string): IptablesOp | null {
  const binary = argv[0]!.startsWith("ip6") ? "ip6tables" : "iptables";
  // --wait-interval (-W N) only paces the lock retries: nothing to simulate.
  const args = argv.slice(1).filter((a, i, all) => !(a === "-W" || a === "--wait-interval" || all[i - 1] === "-W" || all[i - 1] === "--wait-interval"));
  if (args.length === 0) throw invalid(at, `${binary}: no command specified`);
  if (args.some((a) => LISTING.test(a))) return null;
  return { op: "iptables", at, binary, argv: args };
}

/** host.iptables (the JSON form): command strings, each with or without the leading "iptables". */
export function hostIptablesOps(lines: readonly string[], words: (line: string, at: string) => string[]): IptablesOp[] {
  return lines.flatMap((line, i) => {
    const at = `/host/iptables/${i}`;
    const argv = words(line.trim().replace(/^sudo\s+/, ""), at);
    if (argv.length === 0) throw invalid(at, "an empty iptables command");
    const op = iptablesOp(IPTABLES.test(argv[0]!) ? argv : ["iptables", ...argv], at);
    return op ? [op] : [];
  });
}

/** Pasted host rules replace what Docker (and these commands) wrote: the commands would be lost. */
export function refusePastedHost(ops: readonly LifecycleOp[], pasted: { "iptables-save"?: string; "ip6tables-save"?: string } | undefined): void {
  for (const op of ops) {
    if (op.op !== "iptables") continue;
    // Either pasted text replaces both of Docker's host rulesets (src/docker/topology.ts).
    const key = (["iptables-save", "ip6tables-save"] as const).find((k) => pasted?.[k] !== undefined);
    if (key) throw impossible(op.at, `rules.host.${key} replaces the host's rules written by Docker and by these commands, so this command would be lost: add its rule to the pasted text instead`);
  }
}
