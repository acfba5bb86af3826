import { app, type HttpResponseInit } from "@azure/functions";
import { STYLESHEET_ROUTE } from "../lib/status-page/links";

/** GET /api/page-assets/style.css: the status page's stylesheet (no data in it, so no key needed). */
export async function statusPageStyleHttp(): Promise<HttpResponseInit> {
  const [{ PAGE_HEADERS }, { STYLESHEET }] = await Promise.all([
    import("../lib/status-page/security.js"),
    import("../lib/status-page/stylesheet.js"),
  ]);
  return {
    status: 200,
    headers: { ...PAGE_HEADERS, "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600" },
    body: STYLESHEET,
  };
}

app.http("statusPageStyleHttp", {
  methods: ["GET"],
  authLevel: "anonymous",
  route: STYLESHEET_ROUTE,
  handler: statusPageStyleHttp,
});
