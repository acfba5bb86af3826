import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { failedCounts, runChaos } from "../../dev/chaos/run-chaos";
import { printReport } from "../../dev/chaos/main";

// The short version of `npm run chaos`: the same run and checks on a small estate, a fixed seed and a short storm.
describe("chaos run (short)", () => {
  it("loses no request, duplicates no grant, breaks no order, audits every ARM write exactly, and converges", async () => {
    const report = await runChaos({
      seed: 59,
      services: 3,
      serversPerService: 2,
      syncGroupsPerService: 2,
      faultSeconds: 15,
      convergeTimeoutSeconds: 60,
      hosts: 2,
      azuriteConnectionString: inject("azuriteConnectionString"),
      tls: inject("localTls"),
    });
    const lines: string[] = [];
    printReport(report, (line) => lines.push(line));
    // The run did inject faults and kill hosts (a run that did nothing would pass trivially).
    expect(report.hostKills).toBeGreaterThan(0);
    expect(report.killsOnWrite).toBeGreaterThan(0);
    expect(Object.values(report.faultsByKind).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    expect(report.armWrites).toBeGreaterThan(0);
    expect(failedCounts(report), lines.join("\n")).toEqual([]);
    expect(report.convergenceSeconds).toBeDefined();
  }, 180_000);
});
