import { request } from "node:https";
import { rootCertificates } from "node:tls";
import { TableClient } from "@azure/data-tables";
import type { EmulatorHandle } from "../emulator";
import type { AppliedWrite, JournalEntry } from "./checks";

/** The emulator's applied-write log (`GET /_admin/writes`). */
export function appliedWrites(emulator: EmulatorHandle): Promise<AppliedWrite[]> {
  const url = new URL(`${emulator.adminUrl.replace(/\/$/, "")}/writes`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", ca: [...rootCertificates, emulator.caCertPem] }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) return reject(new Error(`GET ${url.pathname} answered ${res.statusCode}: ${text.slice(0, 300)}`));
        try {
          resolve((JSON.parse(text) as { writes: AppliedWrite[] }).writes);
        } catch (e) {
          reject(e as Error);
        }
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/** Every row of the app's ARM write journal (`<prefix>Writes`); none when the table does not exist. */
export async function journalRows(connectionString: string, tablePrefix: string): Promise<JournalEntry[]> {
  const client = TableClient.fromConnectionString(connectionString, `${tablePrefix}Writes`, { allowInsecureConnection: true });
  const rows: JournalEntry[] = [];
  try {
    for await (const e of client.listEntities<Record<string, unknown>>()) {
      rows.push({
        serviceId: String(e.serviceId ?? ""),
        runId: String(e.runId ?? ""),
        attempt: Number(e.attempt ?? 0),
        kind: String(e.kind ?? ""),
        target: String(e.target ?? ""),
        clientRequestId: String(e.clientRequestId ?? ""),
        status: String(e.status ?? ""),
      });
    }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return [];
    throw error;
  }
  return rows;
}
