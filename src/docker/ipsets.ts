// The ipsets dockerd 28.0.0 keeps (docker-ext-bridges-v4 / -v6: one hash:net element per
// non-internal bridge subnet; bridge_linux.go setupHashNetIpset, setup_ip_tables_linux.go
// setupIPTables @v28.0.0). dockerd speaks netlink (vishvananda/netlink IpsetCreate/Add/Del); the
// command log shows the equivalent `ipset` command. The sets live in an IpsetStore
// (src/netfilter/ipset.ts), so the `-m set` rules dockerd loads look packets up in them as the
// kernel does, and they print as `ipset save` does.
import { IpsetStore, parseIpsetSave } from "../netfilter/ipset.js";

interface SetState {
  header: string;
  members: string[];
}

export class DockerIpsets {
  readonly store = new IpsetStore();
  private sets = new Map<string, SetState>();

  constructor(private log: string[]) {}

  /**
   * setupHashNetIpset: create with Replace (no NLM_F_EXCL: an existing set of that type is kept),
   * then flush. netlink asks for hash:net revision 0 with no options: the kernel's defaults, and
   * a revision that prints neither bucketsize nor initval (checked: a set made with that netlink
   * request in a namespace, `ipset save` on Linux 6.18).
   */
  createHashNet(name: string, family: "inet" | "inet6"): void {
    this.log.push(`ipset -exist create ${name} hash:net family ${family}`);
    if (!this.sets.has(name)) {
      const header = `create ${name} hash:net family ${family} hashsize 1024 maxelem 65536`;
      this.sets.set(name, { header, members: [] });
      this.store.sets.set(name, parseIpsetSave(header).get(name)!);
    }
    this.log.push(`ipset flush ${name}`);
    this.sets.get(name)!.members = [];
    this.sync(name);
  }

  /** IpsetAdd: dockerd ignores "already added" (a firewalld reload re-adds). */
  add(name: string, cidr: string): void {
    const set = this.sets.get(name);
    const failed = !set ? "The set with the given name does not exist" : set.members.includes(cidr) ? "Element cannot be added to the set: it's already added" : null;
    this.log.push(`ipset add ${name} ${cidr}${failed ? `   # ${failed}` : ""}`);
    if (failed) return;
    set!.members.push(cidr);
    this.sync(name);
  }

  /** IpsetDel (a network's cleanup). */
  del(name: string, cidr: string): void {
    const set = this.sets.get(name);
    const failed = !set ? "The set with the given name does not exist" : !set.members.includes(cidr) ? "Element cannot be deleted from the set: it's not added" : null;
    this.log.push(`ipset del ${name} ${cidr}${failed ? `   # ${failed}` : ""}`);
    if (failed) return;
    set!.members = set!.members.filter((m) => m !== cidr);
    this.sync(name);
  }

  /** `ipset save`: members in the order they were added (the kernel prints them in hash order). */
  save(): string {
    return [...this.sets.keys()].map((name) => this.text(name)).join("");
  }

  private text(name: string): string {
    const s = this.sets.get(name)!;
    return [s.header, ...s.members.map((m) => `add ${name} ${m}`)].map((l) => `${l}\n`).join("");
  }

  /** Rules hold the live set object: its elements are replaced in place. */
  private sync(name: string): void {
    const fresh = parseIpsetSave(this.text(name)).get(name)!;
    const live = this.store.get(name)!;
    live.elements.splice(0, live.elements.length, ...fresh.elements);
  }
}
