import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";

/**
 * The error answers the local host itself gives (no function ran): the same
 * `{"error":{"code","message"}}` shape as the app's API, so a client has one
 * shape to parse. The real host answers most of these with an empty body;
 * clients must go by the status code, the body only says why.
 */
export type HostErrorCode =
  | "BadRequest"
  | "InvalidHost"
  | "NotFound"
  | "MethodNotAllowed"
  | "BodyTooLarge"
  | "RequestTimeout"
  | "InternalServerError";

export function hostErrorBody(code: HostErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export function replyHostError(
  res: ServerResponse,
  status: number,
  code: HostErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = hostErrorBody(code, message);
  res
    .writeHead(status, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    })
    .end(body);
}

/**
 * An answer written on the raw socket, for errors Node's parser raises before there is a response object; the
 * connection closes after it.
 */
export function replyOnSocket(socket: Socket, status: number, code: HostErrorCode, message: string): void {
  const body = hostErrorBody(code, message);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
