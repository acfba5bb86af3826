import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** One Application Insights envelope as the exporter sends it (Breeze schema, the fields the tests read). */
export interface Envelope {
  name: string;
  iKey?: string;
  instrumentationKey?: string;
  time: string;
  data: {
    baseType: string;
    baseData: { name?: string; properties?: Record<string, string>; measurements?: Record<string, number> };
  };
}

export interface IngestionEndpoint {
  /** The connection string that points an exporter here. */
  connectionString: string;
  envelopes: Envelope[];
  /** The Authorization header of each request. */
  authorizations: (string | undefined)[];
  paths: string[];
  close(): Promise<void>;
}

/**
 * A local stand-in for Application Insights ingestion: accepts the track
 * endpoint (`POST /v2.1/track`, `/v2/track`) over HTTPS, gzip or not, a JSON
 * array or one envelope per line, and answers like Breeze (200 with
 * itemsReceived/itemsAccepted). HTTPS because the exporter sends its Entra
 * token only over TLS.
 */
export async function startIngestionEndpoint(
  tls: { certPem: string; keyPem: string },
  instrumentationKey: string,
): Promise<IngestionEndpoint> {
  const envelopes: Envelope[] = [];
  const authorizations: (string | undefined)[] = [];
  const paths: string[] = [];
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      paths.push(`${req.method} ${req.url}`);
      if (req.method !== "POST" || !/^\/v2(\.1)?\/track(\?|$)/.test(req.url ?? "")) {
        res.writeHead(404).end();
        return;
      }
      authorizations.push(req.headers.authorization);
      const raw = Buffer.concat(chunks);
      const text = (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8").trim();
      const batch = (
        text.startsWith("[") ? JSON.parse(text) : text.split("\n").map((l) => JSON.parse(l))
      ) as Envelope[];
      envelopes.push(...batch);
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ itemsReceived: batch.length, itemsAccepted: batch.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=${instrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
    envelopes,
    authorizations,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The custom events received so far: name, customDimensions, customMeasurements. */
export function customEvents(
  envelopes: Envelope[],
): { name: string; properties: Record<string, string>; measurements: Record<string, number> }[] {
  return envelopes
    .filter((e) => e.data.baseType === "EventData")
    .map((e) => ({
      name: e.data.baseData.name ?? "",
      properties: e.data.baseData.properties ?? {},
      measurements: e.data.baseData.measurements ?? {},
    }));
}
