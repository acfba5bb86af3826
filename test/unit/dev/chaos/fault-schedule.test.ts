import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { countByKind, faultSchedule } from "../../../../dev/chaos/fault-schedule";

const size = { durationMs: 60_000, services: 12, serversPerService: 5, hosts: 2 };

describe("faultSchedule", () => {
  it("is the same for the same seed and differs for another", () => {
    expect(faultSchedule(42, size)).toEqual(faultSchedule(42, size));
    expect(faultSchedule(43, size)).not.toEqual(faultSchedule(42, size));
  });

  it("keeps every step inside the run and the estate, in time order", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 5 }),
        (seed, services, servers) => {
          const steps = faultSchedule(seed, { durationMs: 20_000, services, serversPerService: servers, hosts: 2 });
          expect(steps.length).toBeGreaterThan(10);
          steps.forEach(({ atMs, step }, i) => {
            expect(atMs).toBeLessThan(20_000);
            if (i > 0) expect(atMs).toBeGreaterThan(steps[i - 1]?.atMs ?? 0);
            else expect(step.kind).toBe("killOnNextWrite");
            if ("service" in step) expect(step.service).toBeLessThan(services);
            if (step.kind === "resetIdentity") expect(step.server).toBeLessThan(servers);
            if (step.kind === "killHost") expect(step.host).toBeLessThan(2);
            if (step.kind === "pauseHost") {
              expect(step.host).toBeLessThan(2);
              // Past the chaos run's 4 s lease, so another host can take it while this one sleeps.
              expect(step.pauseMs).toBeGreaterThan(4_000);
            }
          });
        },
      ),
    );
  });

  it("a minute holds every kind of fault", () => {
    const counts = countByKind(faultSchedule(7, size));
    for (const [kind, n] of Object.entries(counts)) expect(n, kind).toBeGreaterThan(0);
  });
});
