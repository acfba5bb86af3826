import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { TableClient } from "@azure/data-tables";
import { addDueEntries, listDueEntries } from "../../../../src/lib/store/due-index";
import type { DueEntry } from "../../../../src/lib/store/rows";

/** A run that switches a whole service writes its activation checks in transactions, one per due minute. */
describe("addDueEntries", () => {
  it("stores every entry across due minutes and more than one transaction's worth, the last of a repeated server winning", async () => {
    const table = TableClient.fromConnectionString(
      inject("azuriteConnectionString"),
      `due${randomBytes(4).toString("hex")}`,
      {
        allowInsecureConnection: true,
      },
    );
    await table.createTable();
    const serviceId =
      "/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.StorageSync/storageSyncServices/sss";
    const entry = (n: number, dueAt: string): DueEntry => ({
      serviceId,
      serverId: `5e7e0000-0000-4000-8000-${n.toString().padStart(12, "0")}`,
      serverResourceId: `${serviceId}/registeredServers/${n}`,
      switchedAt: "2026-01-01T00:00:00.000Z",
      dueAt,
    });
    const entries = [
      ...Array.from({ length: 150 }, (_, n) => entry(n, "2026-01-01T01:00:10.000Z")),
      ...Array.from({ length: 3 }, (_, n) => entry(200 + n, "2026-01-01T01:07:00.000Z")),
      entry(0, "2026-01-01T01:00:20.000Z"),
    ];
    await addDueEntries(table, entries);
    const due = await listDueEntries(table, new Date("2026-01-01T02:00:00.000Z"), 1000);
    expect(due).toHaveLength(153);
    expect(due.find((d) => d.serverId === entry(0, "").serverId)?.dueAt).toBe("2026-01-01T01:00:20.000Z");
    await addDueEntries(table, []);
    await table.deleteTable();
  });
});
