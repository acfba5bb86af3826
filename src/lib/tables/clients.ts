import { TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/core-auth";
import type { StorageConnection } from "../config";

/** Every table the app keeps, by role. */
export interface StoreTables {
  /** One row per registered server: partition = service key, row = server GUID. */
  servers: TableClient;
  /** One row per Storage Sync Service: partition "service", row = service key. */
  services: TableClient;
  /** Audit trail: partition = service key, row = run id suffix (newest first). */
  runs: TableClient;
  /** Activation checks by due time: partition = due minute bucket, row = service key + server GUID. */
  due: TableClient;
  /** Per-service reconcile lease: partition = service key, row "lease". */
  leases: TableClient;
  /** Per-service coalescing marker: partition = service key, row "pending". */
  pending: TableClient;
  /** Arc/VM principals already seen: partition = machine key, row "machine". */
  machines: TableClient;
  /** ARM write journal: partition = service key, row = `<run row key>-<attempt, 3 digits>-<client request id>`. */
  writes: TableClient;
}

type TableRole = keyof StoreTables;

const SUFFIX: Record<TableRole, string> = {
  servers: "Servers",
  services: "Services",
  runs: "Runs",
  due: "Due",
  leases: "Leases",
  pending: "Pending",
  machines: "Machines",
  writes: "Writes",
};

export function tableName(prefix: string, role: TableRole): string {
  return `${prefix}${SUFFIX[role]}`;
}

/** Builds the table clients from a connection string, or from service URIs and a credential (identity-based). */
export function createStoreTables(
  connection: StorageConnection,
  prefix: string,
  credential?: TokenCredential,
): StoreTables {
  const make = (role: TableRole): TableClient => {
    const name = tableName(prefix, role);
    if (connection.connectionString) {
      // Azurite speaks plain http; real accounts use https and ignore the flag.
      const options: TableServiceClientOptions = {
        allowInsecureConnection: /DefaultEndpointsProtocol=http;|TableEndpoint=http:|UseDevelopmentStorage=true/i.test(
          connection.connectionString,
        ),
      };
      return TableClient.fromConnectionString(connection.connectionString, name, options);
    }
    if (!connection.tableServiceUri || !credential) {
      throw new Error(
        "table storage needs AzureWebJobsStorage or AzureWebJobsStorage__tableServiceUri with a credential",
      );
    }
    return new TableClient(connection.tableServiceUri, name, credential);
  };
  return {
    servers: make("servers"),
    services: make("services"),
    runs: make("runs"),
    due: make("due"),
    leases: make("leases"),
    pending: make("pending"),
    machines: make("machines"),
    writes: make("writes"),
  };
}

/** Creates every table that does not exist yet (idempotent). */
export async function ensureTables(tables: StoreTables): Promise<void> {
  await Promise.all(Object.values(tables).map((t: TableClient) => t.createTable()));
}
