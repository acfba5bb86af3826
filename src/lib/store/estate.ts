import type { TableClient } from "@azure/data-tables";
import { z } from "zod";
import { resourceKey } from "../tables/keys";
import { stateCountsSchema, type StateCounts } from "./rows";

/**
 * Estate-wide rows in the services table, each in its own partition (service
 * rows live in partition "service", so listing services never sees them):
 *
 * - "estate-day": one row per UTC day, the servers by state summed over the
 *   service rows at the day's last sweep. Its size and its cost (one upsert
 *   per sweep) do not grow with servers; 30 rows draw the chart.
 * - "estate-scope": one row per MANAGED_SCOPES entry: the services the last
 *   sweep listed there, or why it could not list them.
 *
 * Role-assignment use per subscription is not kept here: runs read it and
 * keep it on the service rows (quota-usage.ts).
 */
export const ESTATE_DAY_PARTITION = "estate-day";
export const ESTATE_SCOPE_PARTITION = "estate-scope";
/** Days the chart shows; older rows are deleted by the sweep that writes a new day. */
export const ESTATE_HISTORY_DAYS = 30;

const jsonOf = <S extends z.ZodType>(schema: S) =>
  z.string().transform((text, ctx) => {
    try {
      return schema.parse(JSON.parse(text)) as z.output<S>;
    } catch {
      ctx.addIssue({ code: "custom", message: "not the JSON this column holds" });
      return z.NEVER;
    }
  });

export const estateDaySchema = z.object({
  rowKey: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  counts: jsonOf(stateCountsSchema),
  services: z.number().int(),
  at: z.string(),
});
export type EstateDay = { day: string; counts: StateCounts; services: number; at: string };

export const estateScopeSchema = z.object({
  scope: z.string(),
  listedAt: z.string(),
  serviceIds: jsonOf(z.array(z.string())),
  error: z.string().optional(),
});
export type EstateScope = { scope: string; listedAt: string; serviceIds: string[]; error?: string };

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export async function recordEstateDay(
  table: TableClient,
  counts: StateCounts,
  services: number,
  at: Date,
): Promise<void> {
  await table.upsertEntity(
    {
      partitionKey: ESTATE_DAY_PARTITION,
      rowKey: utcDay(at),
      counts: JSON.stringify(counts),
      services,
      at: at.toISOString(),
    },
    "Replace",
  );
  const oldest = utcDay(new Date(at.getTime() - (ESTATE_HISTORY_DAYS - 1) * 86_400_000));
  for await (const e of table.listEntities({
    queryOptions: { filter: `PartitionKey eq '${ESTATE_DAY_PARTITION}' and RowKey lt '${oldest}'`, select: ["RowKey"] },
  }))
    await table.deleteEntity(ESTATE_DAY_PARTITION, e.rowKey as string);
}

/** The last ESTATE_HISTORY_DAYS days with a point, oldest first; rows that do not parse are left out. */
export async function listEstateDays(table: TableClient, now: Date): Promise<EstateDay[]> {
  const oldest = utcDay(new Date(now.getTime() - (ESTATE_HISTORY_DAYS - 1) * 86_400_000));
  const out: EstateDay[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${ESTATE_DAY_PARTITION}' and RowKey ge '${oldest}'` },
  })) {
    const parsed = estateDaySchema.safeParse(e);
    if (parsed.success)
      out.push({
        day: parsed.data.rowKey,
        counts: parsed.data.counts as StateCounts,
        services: parsed.data.services,
        at: parsed.data.at,
      });
  }
  return out.sort((a, b) => a.day.localeCompare(b.day));
}

export async function recordEstateScope(table: TableClient, scope: EstateScope): Promise<void> {
  await table.upsertEntity(
    {
      partitionKey: ESTATE_SCOPE_PARTITION,
      rowKey: resourceKey(scope.scope),
      scope: scope.scope,
      listedAt: scope.listedAt,
      serviceIds: JSON.stringify(scope.serviceIds),
      ...(scope.error ? { error: scope.error.slice(0, 2000) } : {}),
    },
    "Replace",
  );
}

export async function listEstateScopes(table: TableClient): Promise<EstateScope[]> {
  const out: EstateScope[] = [];
  for await (const e of table.listEntities<Record<string, unknown>>({
    queryOptions: { filter: `PartitionKey eq '${ESTATE_SCOPE_PARTITION}'` },
  })) {
    const parsed = estateScopeSchema.safeParse(e);
    if (parsed.success) out.push({ ...parsed.data, serviceIds: parsed.data.serviceIds as string[] });
  }
  return out;
}
