import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { rootCertificates } from "node:tls";

export interface WebhookResponse {
  status: number;
  body: string;
}

/**
 * POSTs JSON to a webhook with node:http(s), which (unlike global fetch)
 * takes an extra CA per request, so a webhook with the emulator's own
 * self-signed certificate is trusted without touching process-wide settings.
 */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { ca?: string; timeoutMs: number },
): Promise<WebhookResponse> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: "POST",
        headers: {
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
        ...(target.protocol === "https:" && options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
        timeout: options.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`webhook ${url} did not answer within ${options.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}
