import { setTimeout as sleep } from "node:timers/promises";
import { QueueClient } from "@azure/storage-queue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppApiClient, RunStatus } from "../../dev/host/app-api-client";
import type { LocalStack } from "../../dev/host/local-stack";
import { runCliCaptured, type CliResult } from "../integration/support/cli-run";
import { serverToEntity } from "../../src/lib/store/server";
import { emptyCounts } from "../../src/lib/store/records";
import { listServerRows } from "../../src/lib/store/server";
import { updateServiceRow } from "../../src/lib/store/service";
import { createStoreTables, type StoreTables } from "../../src/lib/tables/clients";
import { E2E_TEST_TIMEOUT_MS, eventually, startE2EStack } from "./support/e2e-stack";
import { SSS_PROD } from "./support/seeds";

/** A service in scope that ARM does not have: the app never writes its rows, so the test's rows stay as written. */
const SSS_GHOST = SSS_PROD.replace(/sss-prod$/, "sss-ghost");

interface StatusJson {
  exitCode: number;
  converged: boolean;
  source: string;
  totals: Record<string, number>;
  services: { serviceId: string; counts: Record<string, number> }[];
  verdicts: { serviceId: string; converged: boolean; reasons: string[] }[];
  attention: { serverId: string; name: string; state: string; remedy?: string }[];
}

/**
 * `afs-identity status` in process, against the stack's real HTTP API (--url) or its real tables in Azurite (--tables).
 */
describe("afs-identity status", () => {
  let stack: LocalStack;
  let api: AppApiClient;
  let tables: StoreTables;
  let prefix: string;

  const status = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCliCaptured(["status", ...args], { env: { AFS_IDENTITY_KEY: stack.functionKey, ...env } });
  const viaApi = (...extra: string[]) => status(["--url", stack.apiUrl.replace(/\/api$/, ""), ...extra]);
  const viaTables = (...extra: string[]) =>
    status(["--tables", stack.connectionString, "--table-prefix", prefix, ...extra]);
  const json = (text: string) => JSON.parse(text) as StatusJson;
  const withoutSource = ({ source: _source, ...rest }: StatusJson) => rest;

  beforeAll(async () => {
    // The activation check rarely, so that only the runs write the tables while the test looks.
    ({ stack, api } = await startE2EStack("clistatus", { appSettings: { ACTIVATION_CHECK_SCHEDULE: "0 0 3 * * *" } }));
    prefix = stack.appSettings.TABLE_NAME_PREFIX ?? "";
    tables = createStoreTables({ connectionString: stack.connectionString }, prefix);
  }, E2E_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  }, E2E_TEST_TIMEOUT_MS);

  it(
    "with nothing recorded yet: exit 2 and says so (a wrong account must not look healthy)",
    async () => {
      const result = await viaApi();
      expect(result.code).toBe(2);
      expect(result.stdout).toContain("No service recorded yet");
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "after a run the API and the tables give the same view; a Failed server makes it exit 2 with the server and its remedy",
    async () => {
      const accepted = await api.post<{ runs: { runId: string }[] }>("/reconcile", { serviceId: SSS_PROD });
      expect(accepted.status).toBe(202);
      await eventually("the run to finish", async () => {
        const r = await api.get<RunStatus>(`/runs/${accepted.body.runs[0]?.runId}`);
        return r.status === 200 && ["succeeded", "completedWithFailures"].includes(r.body.status) ? r.body : undefined;
      });
      // The run's own writes raise events that queue further runs: compare once the app is idle.
      const queue = new QueueClient(stack.connectionString, stack.appSettings.RECONCILE_QUEUE_NAME ?? "");
      let previous = "";
      await eventually(
        "the app to be idle",
        async () => {
          const { approximateMessagesCount } = await queue.getProperties();
          const now = (await viaTables("--json")).stdout;
          const idle = approximateMessagesCount === 0 && now === previous;
          previous = now;
          if (!idle) await sleep(1_500);
          return idle ? true : undefined;
        },
        60_000,
      );
      const fromApi = json((await viaApi("--json")).stdout);
      const fromTables = json((await viaTables("--json")).stdout);
      expect(fromApi.services.map((s) => s.serviceId)).toEqual([SSS_PROD]);
      expect(withoutSource(fromApi)).toEqual(withoutSource(fromTables));

      // A server fails: what an administrator must act on shows in both views.
      const [real] = await listServerRows(tables.servers, SSS_PROD);
      if (!real) throw new Error("the run recorded no server");
      const row = { ...real, record: { ...real.record, serviceId: SSS_GHOST, name: "ghost-fs01" } };
      const remedy = "Grant the server's identity Storage File Data Privileged Contributor on the share";
      await tables.servers.createEntity(
        serverToEntity({
          ...row.record,
          state: "Failed",
          reason: "grant failed",
          remedy,
          errorCode: "AuthorizationFailed",
        }),
      );
      await updateServiceRow(tables.services, SSS_GHOST, (s) => ({
        ...s,
        converged: true,
        lastRunStatus: "completedWithFailures",
        counts: { ...emptyCounts(), Failed: 1 },
      }));

      for (const read of [viaApi, viaTables]) {
        const text = await read();
        expect(text.code).toBe(2);
        expect(text.stdout).toContain("rg-filesync/sss-prod");
        expect(text.stdout).toMatch(/Not converged:\n(.*\n)* {2}rg-filesync\/sss-ghost: 1 Failed\n/);
        expect(text.stdout).toContain(`ghost-fs01 (rg-filesync/sss-ghost): Failed: grant failed`);
        expect(text.stdout).toContain(`remedy: ${remedy}`);
        const data = json((await read("--json")).stdout);
        expect(data).toMatchObject({ exitCode: 2, converged: false });
        expect(data.attention.map((s) => s.name)).toContain("ghost-fs01");
        expect(data.verdicts.find((v) => v.serviceId === SSS_GHOST)).toEqual({
          serviceId: SSS_GHOST,
          converged: false,
          reasons: ["1 Failed"],
        });
      }
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "exits 0 when every service is converged, from either source",
    async () => {
      // The app is idle (previous test): the rows written here stay as written.
      for (const serviceId of [SSS_PROD, SSS_GHOST]) {
        const rows = await listServerRows(tables.servers, serviceId);
        for (const r of rows)
          await tables.servers.updateEntity(
            serverToEntity({
              ...r.record,
              state: "Active",
              reason: "uses its identity",
              remedy: undefined,
              errorCode: undefined,
            }),
            "Replace",
          );
        await updateServiceRow(tables.services, serviceId, (s) => ({
          ...s,
          converged: true,
          lastRunStatus: "succeeded",
          counts: { ...emptyCounts(), Active: rows.length },
        }));
      }
      for (const read of [viaApi, viaTables]) {
        const result = await read();
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/^TOTAL\s.*\byes\b/m);
        expect(result.stdout).not.toContain("Not converged");
      }
    },
    E2E_TEST_TIMEOUT_MS,
  );

  it(
    "says clearly what is wrong with a bad key, URL, prefix or connection",
    async () => {
      const badKey = await status(["--url", stack.apiUrl], { AFS_IDENTITY_KEY: "not-the-key" });
      expect(badKey).toMatchObject({ code: 1, stdout: "" });
      expect(badKey.stderr).toContain("answered 401: the key in AFS_IDENTITY_KEY is not a function key of this app");

      const noKey = await status(["--url", stack.apiUrl], { AFS_IDENTITY_KEY: "" });
      expect(noKey.code).toBe(1);
      expect(noKey.stderr).toContain("--url needs a function key of the app in AFS_IDENTITY_KEY");

      const plainHttp = await status(["--url", "http://func-x.azurewebsites.net"]);
      expect(plainHttp.code).toBe(1);
      expect(plainHttp.stderr).toContain("--url must use https");

      const wrongPrefix = await status(["--tables", stack.connectionString, "--table-prefix", "nosuchprefix"]);
      expect(wrongPrefix.code).toBe(1);
      expect(wrongPrefix.stderr).toContain(
        "has no table nosuchprefixServices: is --table-prefix the app's TABLE_NAME_PREFIX",
      );

      const notAConnection = await status(["--tables", "mystorageaccount"]);
      expect(notAConnection.code).toBe(1);
      expect(notAConnection.stderr).toContain("--tables must be a table endpoint");

      const both = await status(["--url", stack.apiUrl, "--tables", stack.connectionString]);
      expect(both.stderr).toContain("give either --url or --tables, not both");
      expect((await status([])).stderr).toContain("status needs --url <app URL> or --tables");
    },
    E2E_TEST_TIMEOUT_MS,
  );
});
