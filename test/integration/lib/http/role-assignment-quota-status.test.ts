import { readFileSync } from "node:fs";
import { HttpRequest } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SEED_PATH, type SeedInput } from "../../../../dev/emulator/index";
import { servicesHttp } from "../../../../src/functions/servicesHttp";
import { statusPageHttp } from "../../../../src/functions/statusPageHttp";
import { requestReconcile } from "../../../../src/lib/scheduling/schedule";
import { formatStatus } from "../../../../src/cli/status/format";
import { buildView } from "../../../../src/cli/status/view";
import type { ServiceRecord } from "../../../../src/lib/store/rows";
import { SSS_PROD, SUB1, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * A storage subscription near Azure's role-assignment limit, seen through
 * the app: a run counts it before granting, and the status API, the status
 * page and `afs-identity status` show its usage.
 */
const ORIGIN = "https://afs.example.net";
let stack: AppStack;

function nearlyFullSeed(): SeedInput {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_PATH, "utf8")) as SeedInput;
  const sub = seed.subscriptions.find((s) => s.subscriptionId === SUB1);
  if (!sub) throw new Error("demo seed changed");
  sub.existingRoleAssignments = { count: 3960, orphaned: 25 };
  return seed;
}

beforeAll(async () => {
  stack = await startAppStack({ emulator: { seed: nearlyFullSeed() } });
});
afterAll(async () => stack?.close());

describe("role-assignment quota in the status surfaces", () => {
  it("a run records its grant subscription's usage; GET /services, the page and the CLI's status show it", async () => {
    await requestReconcile(
      stack.app.scheduler,
      { serviceId: SSS_PROD, trigger: { kind: "http", caller: "test" } },
      new Date(),
    );
    const stats = await stack.drain();
    expect(stats.failures).toBe(0);

    const response = await servicesHttp();
    const body = response.jsonBody as {
      services: ServiceRecord[];
      roleAssignmentQuotas: Array<{ subscriptionId: string; count: number; limit: number; orphaned: number }>;
    };
    const quota = body.roleAssignmentQuotas.find((q) => q.subscriptionId === SUB1);
    expect(quota).toMatchObject({ limit: 4000, orphaned: 25 });
    expect(quota?.count).toBeGreaterThan(3960);
    expect(quota?.count).toBeLessThanOrEqual(4000);

    const page = await statusPageHttp(
      new HttpRequest({ method: "GET", url: `${ORIGIN}/api/page`, params: { path: "" } }),
      stack.context("statusPageHttp"),
    );
    const html = String(page.body);
    expect(html).toContain("Role assignments per subscription");
    expect(html).toContain(`${quota?.count.toLocaleString("en-US")} of 4,000`);

    const text = formatStatus(buildView({ source: "test", services: body.services, attention: [] }));
    expect(text).toContain(`${SUB1}: ${quota?.count.toLocaleString("en-US")} of 4,000`);
    expect(text).toContain("25 orphaned");
    expect(text).toContain("NEARLY FULL");
  });
});
