// How dockerd talks to iptables: every call is one iptables command applied to the ruleset
// through the interpreter, and logged exactly as dockerd would run it.
import { applyCommand } from "../netfilter/interpreter.js";
import type { Ruleset } from "../netfilter/ruleset.js";
import type { TableName } from "../netfilter/types.js";

export class Ipt {
  /** `binary` is "iptables" or "ip6tables"; both write to one log, in dockerd's order. */
  constructor(readonly ruleset: Ruleset, readonly log: string[] = [], readonly binary = "iptables") {}

  /** Run `iptables --wait ARGS`; false when iptables exits non-zero. */
  run(...argv: string[]): boolean {
    const res = applyCommand(this.ruleset, argv);
    this.log.push(`${this.binary} --wait ${argv.join(" ")}${res.ok ? "" : `   # ${(res.error ?? "").split("\n").filter(Boolean).join(" ")}`}`);
    return res.ok;
  }

  exists(table: string, chain: string, ...spec: string[]): boolean {
    return this.run("-t", table, "-C", chain, ...spec);
  }

  /** iptables.ProgramRule/Forward pattern: check first, then add (rules never duplicate). */
  ensure(table: string, action: "-A" | "-I", chain: string, ...spec: string[]): void {
    if (!this.exists(table, chain, ...spec)) this.run("-t", table, action, chain, ...spec);
  }

  deleteIfExists(table: string, chain: string, ...spec: string[]): void {
    if (this.exists(table, chain, ...spec)) this.run("-t", table, "-D", chain, ...spec);
  }

  /** NewChain: create the chain unless it exists (dockerd lists it first with -n -L). */
  newChain(table: TableName, chain: string): void {
    if (!this.ruleset.tables.get(table)?.chains.has(chain)) this.run("-t", table, "-N", chain);
  }

  /** EnsureJumpRule: move the jump to the top of the chain. */
  ensureJumpOnTop(chain: string, target: string): void {
    this.deleteIfExists("filter", chain, "-j", target);
    this.run("-t", "filter", "-I", chain, "-j", target);
  }
}
