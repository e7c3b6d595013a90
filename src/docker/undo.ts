// dockerd's cleanup paths delete what its setup paths added: a network's iptCleanFuncs undo its
// setup steps in the order they ran (libnetwork drivers/bridge deleteNetwork), and
// RevokeExternalConnectivity undoes a port mapping (portmapper Unmap -> Forward(Delete)). nfplay
// runs the dialect's own setup code against a Recorder, which notes the rules it would add, then
// deletes them (-C, then -D when present) from the real ruleset in the same order.
import { Ipt } from "./ipt.js";

type Added = { table: string; chain: string; spec: string[] };

/** An Ipt that applies nothing: it only records the rules `ensure` would add. */
export class Recorder extends Ipt {
  readonly added: Added[] = [];
  constructor(readonly real: Ipt) {
    super(real.ruleset, [], real.binary);
  }
  override run(): boolean {
    return true;
  }
  override exists(): boolean {
    return false;
  }
  override ensure(table: string, _action: "-A" | "-I", chain: string, ...spec: string[]): void {
    this.added.push({ table, chain, spec });
  }
  override deleteIfExists(): void {}
  override newChain(): void {}
  override ensureJumpOnTop(): void {}

  /**
   * Delete the recorded rules from the real ruleset. `only`: keep the rules that name one of
   * these words (a bridge, a subnet): a network's cleanup leaves the daemon-wide rules
   * (nat PREROUTING/OUTPUT jumps, DOCKER-USER) that its setup merely made sure of.
   */
  undo(only?: string[]): void {
    for (const r of this.added) {
      if (only && !r.spec.some((a) => only.includes(a))) continue;
      this.real.deleteIfExists(r.table, r.chain, ...r.spec);
    }
  }
}

/** Run `setup` with recorders in place of the dialect's Ipts, then delete what it would add. */
export function undo(ipts: (Ipt | null)[], swap: (ipts: (Ipt | null)[]) => void, setup: () => void, only?: string[]): void {
  const recorders = ipts.map((i) => (i ? new Recorder(i) : null));
  swap(recorders);
  try {
    setup();
  } finally {
    swap(ipts);
  }
  for (const r of recorders) r?.undo(only);
}
