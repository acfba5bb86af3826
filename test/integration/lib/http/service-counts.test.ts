import { HttpRequest } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serviceHttp } from "../../../../src/functions/serviceHttp";
import { servicesHttp } from "../../../../src/functions/servicesHttp";
import { serverToEntity } from "../../../../src/lib/store/server";
import { resourceKey, serverKey } from "../../../../src/lib/tables/keys";
import { countByState, emptyCounts } from "../../../../src/lib/store/records";
import { type ServerRecord, type StateCounts } from "../../../../src/lib/store/rows";
import { updateServiceRow } from "../../../../src/lib/store/service";
import { serverIdOf, SSS_PROD, startAppStack, type AppStack } from "../../support/app-harness";

/**
 * A run writes a service's server rows, then its service row (with counts by
 * state). A worker that dies between the two leaves the counts of the run
 * before. Simulated here by writing the rows through the status modules the
 * run uses, without the service row.
 */
let stack: AppStack;
const BASE = "https://afs.example.net/api";

beforeAll(async () => {
  stack = await startAppStack();
});
afterAll(async () => stack?.close());

const server = (serverId: string, name: string, state: ServerRecord["state"]): ServerRecord => ({
  serviceId: SSS_PROD,
  serverId,
  resourceId: serverIdOf(SSS_PROD, serverId),
  name,
  state,
  reason: "written by the test",
  lastCheckedAt: new Date().toISOString(),
  switchAttempts: state === "Switched" ? 1 : 0,
  autoReruns: 0,
});

const counts = (partial: Partial<StateCounts>): StateCounts => ({ ...emptyCounts(), ...partial });

describe("counts by state after a run died between its server rows and its service row", () => {
  it("GET /service counts the servers it lists; GET /services keeps the counts of the last completed write", async () => {
    const A = "5e7e00a1-0000-4000-8000-000000000001";
    const B = "5e7e00a1-0000-4000-8000-000000000002";
    const C = "5e7e00a1-0000-4000-8000-000000000003";
    const D = "5e7e00a1-0000-4000-8000-000000000004";

    // The previous run completed: rows and counts agree.
    const before = [server(A, "fs-a", "Eligible"), server(B, "fs-b", "Eligible"), server(C, "fs-c", "NoIdentity")];
    await stack.app.tables.servers.submitTransaction(before.map((s) => ["upsert", serverToEntity(s), "Replace"]));
    await updateServiceRow(stack.app.tables.services, SSS_PROD, (s) => ({
      ...s,
      counts: countByState(before),
      lastRunStatus: "succeeded",
    }));

    // The next run wrote its server rows (A and B switched, C unregistered, D newly registered and failed), then died.
    await stack.app.tables.servers.submitTransaction([
      ["upsert", serverToEntity(server(A, "fs-a", "Switched")), "Replace"],
      ["upsert", serverToEntity(server(B, "fs-b", "Switched")), "Replace"],
      ["delete", { partitionKey: resourceKey(SSS_PROD), rowKey: serverKey(C) }],
      ["upsert", serverToEntity(server(D, "fs-d", "Failed")), "Replace"],
    ]);

    const detail = await serviceHttp(
      new HttpRequest({ method: "GET", url: `${BASE}/service?id=${encodeURIComponent(SSS_PROD)}` }),
    );
    expect(detail.status).toBe(200);
    const body = detail.jsonBody as { service: { counts: StateCounts }; servers: ServerRecord[] };
    expect(body.servers.map((s) => [s.name, s.state])).toEqual([
      ["fs-a", "Switched"],
      ["fs-b", "Switched"],
      ["fs-d", "Failed"],
    ]);
    expect(body.service.counts).toEqual(countByState(body.servers));
    expect(body.service.counts).toEqual(counts({ Switched: 2, Failed: 1 }));

    // A state filter narrows the servers, not the service's counts.
    const filtered = await serviceHttp(
      new HttpRequest({ method: "GET", url: `${BASE}/service?id=${encodeURIComponent(SSS_PROD)}&state=Switched` }),
    );
    const filteredBody = filtered.jsonBody as { service: { counts: StateCounts }; servers: ServerRecord[] };
    expect(filteredBody.servers.map((s) => s.name)).toEqual(["fs-a", "fs-b"]);
    expect(filteredBody.service.counts).toEqual(counts({ Switched: 2, Failed: 1 }));

    // The all-services list reads only the service rows: as of the last completed write (docs/http-api.md, GET
    // /api/services).
    const list = (await servicesHttp()).jsonBody as {
      services: Array<{ serviceId: string; counts: StateCounts }>;
      totals: StateCounts;
    };
    expect(list.services.map((s) => [s.serviceId, s.counts])).toEqual([
      [SSS_PROD, counts({ Eligible: 2, NoIdentity: 1 })],
    ]);
    expect(list.totals).toEqual(counts({ Eligible: 2, NoIdentity: 1 }));
  });
});
