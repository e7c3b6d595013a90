// -j SET [--add-set NAME FLAGS [--exist] [--timeout N]] [--del-set NAME FLAGS] (libxt_SET.c,
// revision 3): the packet's element goes into or out of an ipset, and the rule set goes on
// (XT_CONTINUE). Like -m set, the sets are resolved when the rule is loaded. The change lasts
// for the rest of the simulation: later packets and flows see it, as on a live host. Element
// timeouts never run out (the simulation has no clock); --map-set is not modelled.
import { currentIpsets, ipsetAdd, ipsetDel, type Dir, type Ipset, type IpsetStore } from "../ipset.js";
import type { TargetModule } from "../types.js";

interface SetRef {
  name: string;
  set: Ipset;
  dirs: Dir[];
}

interface SetTargetOpts {
  add: SetRef | null;
  del: SetRef | null;
  store: IpsetStore | null;
  exist: boolean;
  timeout: number | null;
}

const FAMILY_NAME = { ipv4: "IPv4", ipv6: "IPv6" } as const;

function setRef(name: string, flags: string, family: "ipv4" | "ipv6"): { ref: SetRef; store: IpsetStore } {
  const dirs = flags.split(",");
  if (dirs.length > 6) throw new Error("Can't be more src/dst options than 6.");
  if (!dirs.every((d) => d === "src" || d === "dst")) throw new Error(`You must specify (the comma separated list of) 'src' or 'dst'.`);
  const store = currentIpsets();
  const set = store?.get(name);
  if (!store || !set) throw new Error(`Set ${name} doesn't exist.\n`);
  if (set.family !== null && set.family !== family)
    throw new Error(`The protocol family of set ${name} is ${FAMILY_NAME[set.family]}, which is not applicable.`);
  return { ref: { name, set, dirs: dirs as Dir[] }, store };
}

export const SET: TargetModule<SetTargetOpts> = {
  name: "SET",
  options: ["add-set", "del-set", "exist", "timeout", "map-set"],
  create: () => ({ add: null, del: null, store: null, exist: false, timeout: null }),
  parse(o, option, neg, args, rule) {
    if (neg) throw new Error(`SET: option "--${option}" cannot be inverted.`);
    if (option === "map-set") throw new Error("SET: --map-set is not supported by nfplay");
    if (option === "exist") {
      o.exist = true;
      return;
    }
    if (option === "timeout") {
      const v = args.value(option);
      if (!/^\d+$/.test(v)) throw new Error(`Invalid value for option --timeout or out of range 0-${0xffffffff}.`);
      o.timeout = Number(v);
      return;
    }
    if ((option === "add-set" ? o.add : o.del) !== null) throw new Error(`--${option} can be specified only once`);
    const name = args.value(option);
    const { ref, store } = setRef(name, args.value(option), rule.family ?? "ipv4");
    o.store = store;
    if (option === "add-set") o.add = ref;
    else o.del = ref;
  },
  finish(o) {
    if (!o.add && !o.del) throw new Error("You must specify either `--add-set' or `--del-set' or `--map-set'");
    if ((o.exist || o.timeout !== null) && !o.add) throw new Error("Flag `--exist' can be used with `--add-set' only");
  },
  save(o) {
    const parts: string[] = [];
    if (o.add) parts.push(`--add-set ${o.add.name} ${o.add.dirs.join(",")}`);
    if (o.exist) parts.push("--exist");
    if (o.timeout !== null) parts.push(`--timeout ${o.timeout}`);
    if (o.del) parts.push(`--del-set ${o.del.name} ${o.del.dirs.join(",")}`);
    return parts.join(" ");
  },
  apply(o, { packet }) {
    if (o.add) ipsetAdd(o.store!, o.add.set, packet, o.add.dirs);
    if (o.del) ipsetDel(o.store!, o.del.set, packet, o.del.dirs);
    return { verdict: "CONTINUE" };
  },
};
