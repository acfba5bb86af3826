import { app, type HttpResponseInit } from "@azure/functions";
import { STYLESHEET_ROUTE } from "../lib/status-page/links";
import { PAGE_HEADERS } from "../lib/status-page/security";
import { STYLESHEET } from "../lib/status-page/stylesheet";

/** GET /api/page-assets/style.css: the status page's stylesheet (no data in it, so no key needed). */
export async function statusPageStyleHttp(): Promise<HttpResponseInit> {
  return { status: 200, headers: { ...PAGE_HEADERS, "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600" }, body: STYLESHEET };
}

app.http("statusPageStyleHttp", { methods: ["GET"], authLevel: "anonymous", route: STYLESHEET_ROUTE, handler: statusPageStyleHttp });
