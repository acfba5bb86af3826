import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";

/** POST /api/reconcile → 202 with Location of the run. */
export async function reconcileHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const [{ getAppDeps }, { logFromContext }, { postReconcile }, { toApiRequest, toHttpResponse }] = await Promise.all([
    import("../lib/composition/default-app-deps.js"),
    import("../lib/composition/log.js"),
    import("../lib/http/reconcile-api.js"),
    import("../lib/http/functions-adapter.js"),
  ]);
  return toHttpResponse(await postReconcile(await getAppDeps(), toApiRequest(request), logFromContext(context)));
}

app.http("reconcileHttp", { methods: ["POST"], authLevel: "function", route: "reconcile", handler: reconcileHttp });
