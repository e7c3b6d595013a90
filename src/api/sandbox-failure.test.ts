// A sandbox call that throws (the platform killed or restarted the isolate) is answered with the
// status the contract documents for the cause, not a bare 500.
import { describe, expect, it } from "vitest";
import { sandboxFailureProblem } from "./problem.ts";

describe("sandboxFailureProblem", () => {
  it("is a 422 budget problem when the isolate ran out of CPU or memory", () => {
    for (const message of ["Worker exceeded CPU time limit.", "Error: isolate exceeded its CPU time", "Worker exceeded memory limit.", "Worker exceeded resource limits"]) {
      expect(sandboxFailureProblem(new Error(message))).toMatchObject({ status: 422, type: "https://nfplay.dev/problems/budget-exceeded" });
    }
  });

  it("is a 503 to retry when the isolate restarted or the connection dropped", () => {
    for (const message of ["Your worker restarted mid-request. Please try sending the request again.", "Network connection lost."]) {
      expect(sandboxFailureProblem(new Error(message))).toMatchObject({ status: 503, type: "https://nfplay.dev/problems/sandbox-unavailable" });
    }
  });

  it("stays a 500 for anything else (our bug)", () => {
    expect(sandboxFailureProblem(new TypeError("x is undefined"))).toMatchObject({ status: 500, detail: "x is undefined" });
    expect(sandboxFailureProblem("boom")).toMatchObject({ status: 500, detail: "boom" });
  });
});
