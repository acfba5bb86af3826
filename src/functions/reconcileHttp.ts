import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import { getAppServices } from "../lib/composition/default-services";
import { logFromContext } from "../lib/composition/log";
import { postReconcile } from "../lib/http/reconcile-api";
import { toApiRequest, toHttpResponse } from "../lib/http/functions-adapter";

/** POST /api/reconcile → 202 with Location of the run. */
export async function reconcileHttp(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return toHttpResponse(await postReconcile(await getAppServices(), toApiRequest(request), logFromContext(context)));
}

app.http("reconcileHttp", { methods: ["POST"], authLevel: "function", route: "reconcile", handler: reconcileHttp });
