import { TableClient } from "@azure/data-tables";
import { writeRowSchema } from "../../src/lib/store/rows";
import { tableName } from "../../src/lib/tables/clients";
import { decodeRow } from "../../src/lib/tables/entity";
import type { JournalEntry } from "./checks";

/**
 * Every row of the app's ARM write journal (`<prefix>Writes`), across
 * services; none when the table does not exist. A row that does not match
 * the journal's schema stops the check with its keys (a half-written record).
 */
export async function journalRows(connectionString: string, tablePrefix: string): Promise<JournalEntry[]> {
  const client = TableClient.fromConnectionString(connectionString, tableName(tablePrefix, "writes"), {
    allowInsecureConnection: true,
  });
  const rows: JournalEntry[] = [];
  try {
    for await (const e of client.listEntities<Record<string, unknown>>()) {
      const row = decodeRow(writeRowSchema, e);
      if (row) rows.push(row);
      else
        throw new Error(
          `journal row ${String(e.partitionKey)}/${String(e.rowKey)} does not match the journal's schema`,
        );
    }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return rows;
}
