import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { TableClient, odata } from "@azure/data-tables";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator } from "../dev/emulator/index";
import { estateIds, generateEstate } from "../dev/seeds/generate-estate";
import { silentLog } from "../src/lib/app/log";
import { reconcileAllInScope } from "../src/lib/app/sweep";
import type { ApiRequest, ApiResponse } from "../src/lib/http/api-types";
import { getServiceDetail, getServices } from "../src/lib/http/status-api";
import { startInstances } from "./support/app-instances";
import { printTable, verdict } from "./support/table";

/**
 * The status API on real rows: GET /api/services over the services of an
 * estate (10 x 100 servers, converged through the app) and GET /api/service
 * for one 100-server service, against the bare @azure/data-tables queries of
 * the same rows (the services table, and that service's partition of the
 * servers table). The API is called as its function calls it (without the
 * host's HTTP hop, which both sides would pay) and its answer serialised.
 * Alternating, median of RUNS each. Target <= 1.5x.
 */
const RUNS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

export default async function run(): Promise<void> {
  const services = 10;
  const seed = generateEstate({ services });
  const azurite = await startAzurite();
  const emulator = await startEmulator({ seed, lroMode: "sync" });
  try {
    const pool = await startInstances(emulator, azurite.connectionString, 2, { TABLE_NAME_PREFIX: `s${randomBytes(3).toString("hex")}` });
    const app = pool.instances[0];
    if (!app) throw new Error("no instance");
    await reconcileAllInScope(app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    await pool.drain();
    const serviceId = estateIds.serviceId(seed.subscriptions[0] as { subscriptionId: string }, 0);
    const { connectionString } = azurite;
    const bareServices = TableClient.fromConnectionString(connectionString, app.tables.services.tableName, { allowInsecureConnection: true });
    const bareServers = TableClient.fromConnectionString(connectionString, app.tables.servers.tableName, { allowInsecureConnection: true });

    const bareList = async (client: TableClient, filter?: string) => {
      const rows: unknown[] = [];
      for await (const r of client.listEntities(filter ? { queryOptions: { filter } } : {})) rows.push(r);
      if (rows.length === 0) throw new Error(`bare query of ${client.tableName} found no rows: table names changed?`);
      return rows;
    };
    const someServer = await bareList(bareServers);
    const key = (someServer.find((r) => JSON.stringify(r).toLowerCase().includes(estateIds.serviceName(0))) as { partitionKey: string } | undefined)?.partitionKey;
    if (!key) throw new Error("no server row of the first service");

    const request = (route: string, query: Record<string, string>): ApiRequest => ({
      method: "GET",
      url: `http://localhost/api/${route}?${new URLSearchParams(query).toString()}`,
      params: {},
      headers: new Headers(),
      text: () => Promise.resolve(""),
    });
    // The body serialised as the host sends it: part of answering.
    const answer = async (response: Promise<ApiResponse>) => {
      const r = await response;
      if (r.status !== 200) throw new Error(`status API answered ${r.status}: ${JSON.stringify(r.jsonBody).slice(0, 300)}`);
      return JSON.stringify(r.jsonBody);
    };
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
      [`GET /api/services (${services} services)`, () => answer(getServices(app)), () => bareList(bareServices)],
      ["GET /api/service (100 servers)", () => answer(getServiceDetail(app, request("service", { id: serviceId }))), () => bareList(bareServers, odata`PartitionKey eq ${key}`)],
    ];
    const rows = [["request", "app (ms)", "bare table query (ms)", "ratio"]];
    for (const [name, api, bare] of cases) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        b.push(await timeIt(bare));
        a.push(await timeIt(api));
      }
      rows.push([name, median(a).toFixed(1), median(b).toFixed(1), verdict(median(a) / median(b), 1.5)]);
    }
    console.log(`Status reads through the app's status API vs the bare @azure/data-tables query of the same rows (median of ${RUNS})`);
    printTable(rows);
  } finally {
    await emulator.close();
    await azurite.stop();
  }
}
