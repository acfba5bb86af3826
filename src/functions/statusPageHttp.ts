import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { loadStatusPageSignIn } from "../lib/sign-in-mode";

// Read at load: the auth level is part of the registration.
const mode = loadStatusPageSignIn();

/** GET /api/page[/service|/server|/runs/{id}] and POST /api/page/reconcile: the status page. */
export async function statusPageHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { logFromContext }, { toApiRequest }, { servePage }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/http/functions-adapter.js"),
    import("../lib/status-page/routes.js"),
  ]);
  const page = await servePage(await getAppDeps(), toApiRequest(request), mode, logFromContext(context));
  return { status: page.status, headers: page.headers, body: page.body };
}

// With Entra sign-in (App Service Authentication in front) the platform vouches for the caller and the page
// checks its principal; otherwise the function key guards the page exactly like the API.
app.http("statusPageHttp", {
  methods: ["GET", "POST"],
  authLevel: mode === "entra" ? "anonymous" : "function",
  route: "page/{*path}",
  handler: statusPageHttp,
});
