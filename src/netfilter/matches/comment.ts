// -m comment --comment TEXT (libxt_comment.c): matches everything, only carries text.
import type { MatchModule } from "../types.js";
import { saveString } from "../quote.js";

interface CommentOpts {
  text: string;
}

export const comment: MatchModule<CommentOpts> = {
  name: "comment",
  options: ["comment"],
  create: () => ({ text: "" }),
  parse(opts, option, _neg, args) {
    const text = args.value(option);
    if (text.length > 255) throw new Error("comment may not exceed 255 characters");
    opts.text = text;
  },
  save: (o) => `--comment ${saveString(o.text)}`,
  match: () => true,
};
