import { PassThrough } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createProgressDisplay, wantsLiveProgress } from "../../../src/cli/progress/display";
import { EstateProgress, progressLines } from "../../../src/cli/progress/estate-progress";
import { interruptionSummary } from "../../../src/cli/interruption";
import type { ActionOutcome, Plan, PlannedAction, ReconcileReport, ServerState } from "../../../src/lib/reconcile";

const planOf = (actions: number, states: ServerState[]) =>
  ({
    actions: Array.from({ length: actions }, (_, i) => ({ id: `a${i}` })),
    servers: states.map((state) => ({ state })),
  }) as unknown as Plan;
const outcome = (status: ActionOutcome["status"]): ActionOutcome => ({
  actionId: "a",
  status,
  attempts: 1,
  durationMs: 1,
});

describe("estate progress", () => {
  it("counts services, writes made of planned, servers by state, and estimates the time left from the write rate", () => {
    const p = new EstateProgress(4, 1_000);
    expect(p.view(1_000, 0)).toEqual({
      servicesDone: 0,
      servicesTotal: 4,
      writesMade: 0,
      writesPlanned: 0,
      serversByState: {},
      waitedMs: 0,
      elapsedMs: 0,
    });
    p.planMade("s1", planOf(10, ["Eligible", "Eligible", "NoIdentity"]), false);
    p.planMade("s2", planOf(30, ["Eligible"]), false);
    for (let i = 0; i < 20; i++) p.actionDone(outcome("succeeded"));
    p.actionDone(outcome("failed"));
    p.actionDone(outcome("alreadyPresent"));
    const view = p.view(12_000, 2_500);
    // Two services planned 40 writes: the four are estimated at 80.
    expect(view).toMatchObject({
      writesMade: 21,
      writesPlanned: 80,
      serversByState: { Eligible: 3, NoIdentity: 1 },
      waitedMs: 2_500,
      elapsedMs: 11_000,
    });
    expect(view.etaMs).toBeCloseTo((11_000 * 59) / 21);
    p.serviceFinished("s1", {
      servers: [{ state: "Switched" }, { state: "Switched" }, { state: "NoIdentity" }],
    } as unknown as ReconcileReport);
    expect(p.view(12_000, 0)).toMatchObject({
      servicesDone: 1,
      serversByState: { Switched: 2, NoIdentity: 1, Eligible: 1 },
    });
    expect(progressLines(p.view(12_000, 65_000))).toEqual([
      "services 1/4  writes 21/80  waited on throttling 1m05s  elapsed 11s  ETA 31s",
      "servers: Eligible 1, NoIdentity 1, Switched 2",
    ]);
  });

  it("property: never shows more made than planned, nor more done than the total, nor a negative ETA", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.nat(30), fc.nat(40), fc.boolean()), { maxLength: 20 }),
        (total, services) => {
          const p = new EstateProgress(total, 0);
          services.slice(0, total).forEach(([planned, made, finished], i) => {
            p.planMade(`s${i}`, planOf(planned, []), false);
            for (let k = 0; k < Math.min(made, planned); k++) p.actionDone(outcome("succeeded"));
            if (finished) p.serviceFinished(`s${i}`);
          });
          const v = p.view(10_000, 0);
          expect(v.writesMade).toBeLessThanOrEqual(v.writesPlanned);
          expect(v.servicesDone).toBeLessThanOrEqual(v.servicesTotal);
          expect(v.etaMs ?? 0).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it("a plan (dry run) plans no writes", () => {
    const p = new EstateProgress(1, 0);
    p.planMade("s", planOf(5, ["Eligible"]), true);
    expect(p.view(0, 0).writesPlanned).toBe(0);
  });
});

describe("progress display", () => {
  const capture = () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (c: Buffer) => (text += c.toString()));
    return { stream, text: () => text };
  };

  it("is live only on a terminal without NO_COLOR (or TERM=dumb)", () => {
    expect(wantsLiveProgress(Object.assign(new PassThrough(), { isTTY: true }), {})).toBe(true);
    expect(wantsLiveProgress(Object.assign(new PassThrough(), { isTTY: true }), { NO_COLOR: "1" })).toBe(false);
    expect(wantsLiveProgress(Object.assign(new PassThrough(), { isTTY: true }), { NO_COLOR: "" })).toBe(true);
    expect(wantsLiveProgress(Object.assign(new PassThrough(), { isTTY: true }), { TERM: "dumb" })).toBe(false);
    expect(wantsLiveProgress(new PassThrough(), {})).toBe(false);
  });

  it("live: redraws the block in place and keeps logged lines above it", () => {
    const out = capture();
    const d = createProgressDisplay(out.stream, true);
    d.show(["a", "b"]);
    d.log("kept");
    d.show(["c", "d"]);
    expect(out.text()).toBe("a\nb\n\x1b[2A\x1b[0Jkept\na\nb\n\x1b[2A\x1b[0Jc\nd\n");
  });

  it("plain: every line as it comes, progress marked, no escapes", () => {
    const out = capture();
    const d = createProgressDisplay(out.stream, false);
    d.show(["a", "b"]);
    d.log("kept");
    expect(out.text()).toBe("progress: a\nprogress: b\nkept\n");
  });
});

describe("interruption summary", () => {
  it("lists what was done, what was partly done, failed or not started", () => {
    const report = (serviceId: string, statuses: ActionOutcome["status"][], converged: boolean) =>
      ({ serviceId, converged, outcomes: statuses.map(outcome) }) as unknown as ReconcileReport<PlannedAction>;
    const text = interruptionSummary({
      reports: [
        report("/s/a", ["succeeded", "alreadyPresent"], true),
        report("/s/b", ["succeeded", "skipped", "skipped"], false),
      ],
      failures: [{ serviceId: "/s/c", error: { code: "X", message: "boom" } }],
      notStarted: ["/s/d"],
    });
    expect(text).toContain("Writes done: 3; not done: 2");
    expect(text).toContain("Done (1):\n  /s/a");
    expect(text).toContain("Not done (3):\n  /s/b: 1 of 3 action(s) done\n  /s/c: failed: boom\n  /s/d: not started");
  });
});
