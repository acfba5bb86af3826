import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { issueToken } from "./tokens";

export interface IdentityEndpointOptions {
  header: string;
  tenantId: () => string;
  /** Principal a token is issued for: the seed's caller unless the request names another known principal. */
  resolvePrincipal: (requested: string | undefined) => string | undefined;
  nowMs: () => number;
}

export interface IdentityEndpoint {
  url: string;
  close(): Promise<void>;
}

const TOKEN_LIFETIME_S = 3600;

/**
 * The App Service managed-identity endpoint (protocol 2019-08-01), plain HTTP
 * on loopback as in App Service: `GET ?resource=…&api-version=2019-08-01`
 * with the `X-IDENTITY-HEADER` secret. `DefaultAzureCredential` finds it
 * through IDENTITY_ENDPOINT and IDENTITY_HEADER.
 */
export async function startIdentityEndpoint(options: IdentityEndpointOptions): Promise<IdentityEndpoint> {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "GET" || url.pathname !== "/msi/token")
      return reply(404, { error: "not_found", error_description: `No route ${req.method} ${url.pathname}` });
    if (req.headers["x-identity-header"] !== options.header) {
      return reply(401, {
        error: "unauthorized",
        error_description: "The X-IDENTITY-HEADER header is missing or wrong.",
      });
    }
    if (url.searchParams.get("api-version") !== "2019-08-01") {
      return reply(400, { error: "invalid_request", error_description: "api-version must be 2019-08-01" });
    }
    const resource = url.searchParams.get("resource");
    if (!resource)
      return reply(400, { error: "invalid_request", error_description: "The 'resource' query parameter is required." });
    const requested =
      url.searchParams.get("principal_id") ??
      url.searchParams.get("object_id") ??
      url.searchParams.get("client_id") ??
      undefined;
    const oid = options.resolvePrincipal(requested ?? undefined);
    if (!oid)
      return reply(400, {
        error: "invalid_request",
        error_description: `No managed identity '${requested}' is assigned to this app.`,
      });
    const iat = Math.floor(options.nowMs() / 1000);
    const exp = iat + TOKEN_LIFETIME_S;
    const accessToken = issueToken({ oid, tid: options.tenantId(), aud: resource, iat, exp, appid: oid, idtyp: "app" });
    reply(200, { access_token: accessToken, expires_on: String(exp), resource, token_type: "Bearer", client_id: oid });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/msi/token`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
