// The CLI names a result as `GET /simulate?scenario=` does: from the scenario and the nfplay
// version, never at random, so the same input prints the same bytes (CI diffs, doc blocks
// checked with format=json or html, and the API's GET URL all agree).
import { contentId } from "../api/canonical.js";
import pkg from "../../package.json" with { type: "json" };

export function resultId(scenario: unknown): Promise<string> {
  return contentId(scenario, pkg.version);
}
