import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { TableClient, odata } from "@azure/data-tables";
import { startAzurite } from "../dev/azurite/start-azurite";
import { startEmulator } from "../dev/emulator/index";
import { estateIds, generateEstate } from "../dev/seeds/generate-estate";
import { silentLog } from "../src/lib/ports/log";
import { reconcileAllInScope } from "../src/lib/sweep/sweep";
import type { ApiRequest, ApiResponse } from "../src/lib/http/api-types";
import { getServiceDetail, getServices } from "../src/lib/http/status-api";
import { startInstances } from "./support/app-instances";
import { printTable, verdict } from "./support/table";

/**
 * The status API on real rows: GET /api/services over the services of an
 * estate (10 x 100 servers, converged through the app) and GET /api/service
 * for one 100-server service, against the bare @azure/data-tables queries of
 * the same rows (the services table; the service's row, server partition,
 * lease and newest runs, read at once as the API reads them), and, for
 * scale, against the server partition alone. The API is called as its function calls it (without the
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
  // Buckets out of the way: this measures the status API, not ARM throttling.
  const emulator = await startEmulator({ seed, lroMode: "sync", throttle: { readBurst: 1e9, writeBurst: 1e9 } });
  try {
    const pool = await startInstances(emulator, azurite.connectionString, 2, {
      TABLE_NAME_PREFIX: `s${randomBytes(3).toString("hex")}`,
    });
    const app = pool.instances[0];
    if (!app) throw new Error("no instance");
    await reconcileAllInScope(app, { kind: "timer", timer: "fullSweep" }, {}, silentLog);
    await pool.drain();
    const serviceId = estateIds.serviceId(seed.subscriptions[0] as { subscriptionId: string }, 0);
    const { connectionString } = azurite;
    const bareServices = TableClient.fromConnectionString(connectionString, app.tables.services.tableName, {
      allowInsecureConnection: true,
    });
    const bareServers = TableClient.fromConnectionString(connectionString, app.tables.servers.tableName, {
      allowInsecureConnection: true,
    });

    const bareList = async (client: TableClient, filter?: string) => {
      const rows: unknown[] = [];
      for await (const r of client.listEntities(filter ? { queryOptions: { filter } } : {})) rows.push(r);
      if (rows.length === 0) throw new Error(`bare query of ${client.tableName} found no rows: table names changed?`);
      return rows;
    };
    const someServer = await bareList(bareServers);
    const key = (
      someServer.find((r) => JSON.stringify(r).toLowerCase().includes(estateIds.serviceName(0))) as
        { partitionKey: string } | undefined
    )?.partitionKey;
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
      if (r.status !== 200)
        throw new Error(`status API answered ${r.status}: ${JSON.stringify(r.jsonBody).slice(0, 300)}`);
      return JSON.stringify(r.jsonBody);
    };
    const bareRuns = TableClient.fromConnectionString(connectionString, app.tables.runs.tableName, {
      allowInsecureConnection: true,
    });
    const bareLeases = TableClient.fromConnectionString(connectionString, app.tables.leases.tableName, {
      allowInsecureConnection: true,
    });
    // Every row GET /api/service answers from: its service row, its server rows, its lease (absent
    // here, a 404 as in steady state) and its 10 newest runs' summaries, read at once.
    const serviceRows = () =>
      Promise.all([
        bareServices.getEntity("service", key),
        bareList(bareServers, odata`PartitionKey eq ${key}`),
        bareLeases.getEntity(key, "lease").catch(() => undefined),
        (async () => {
          for await (const page of bareRuns
            .listEntities({
              queryOptions: {
                filter: odata`PartitionKey eq ${key}`,
                select: ["runId", "status", "dryRun", "trigger", "queuedAt", "startedAt", "finishedAt", "error"],
              },
            })
            .byPage({ maxPageSize: 10 }))
            return page;
          return [];
        })(),
      ]);
    const cases: Array<[string, () => Promise<unknown>, () => Promise<unknown>, number | undefined]> = [
      [
        `GET /api/services (${services} services) vs its table`,
        () => answer(getServices(app)),
        () => bareList(bareServices),
        1.5,
      ],
      [
        "GET /api/service (100 servers) vs its rows",
        () => answer(getServiceDetail(app, request("service", { id: serviceId }))),
        serviceRows,
        1.5,
      ],
      [
        "GET /api/service vs the server rows alone",
        () => answer(getServiceDetail(app, request("service", { id: serviceId }))),
        () => bareList(bareServers, odata`PartitionKey eq ${key}`),
        undefined,
      ],
    ];
    const rows = [["request", "app (ms)", "bare table query (ms)", "ratio"]];
    for (const [name, api, bare, target] of cases) {
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        b.push(await timeIt(bare));
        a.push(await timeIt(api));
      }
      const ratio = median(a) / median(b);
      rows.push([
        name,
        median(a).toFixed(1),
        median(b).toFixed(1),
        target === undefined ? `${ratio.toFixed(2)} (for scale: the other rows it reads)` : verdict(ratio, target),
      ]);
    }
    console.log(
      `Status reads through the app's status API vs the bare @azure/data-tables query of the same rows (median of ${RUNS})`,
    );
    printTable(rows);
  } finally {
    await emulator.close();
    await azurite.stop();
  }
}
