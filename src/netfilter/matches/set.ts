// -m set --match-set NAME src|dst[,src|dst...] (libxt_set.c). nfplay has no ipset model yet, so
// every set is undefined; the real iptables refuses such a rule too ("Set NAME doesn't exist.").
import type { MatchModule } from "../types.js";

export const set: MatchModule<Record<string, never>> = {
  name: "set",
  options: ["match-set", "set"],
  create: () => ({}),
  parse(_o, option, _neg, args) {
    const name = args.value(option);
    const flags = args.value(option);
    if (!/^(src|dst)(,(src|dst))*$/.test(flags)) throw new Error(`set: bad flags "${flags}" for --${option} ${name}`);
    throw new Error(`ipset ${name} is not defined`);
  },
  finish() {
    throw new Error("set match: You must specify `--match-set' with proper arguments");
  },
  save: () => "",
  match: () => false,
};
