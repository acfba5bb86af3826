import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * ARM lists a web app's settings only through a POST action
 * (`Microsoft.Web/sites/config/list/action`, WebApps_ListApplicationSettings):
 * it changes nothing. It is the one request the doctor sends that is not a GET.
 */
export const APP_SETTINGS_LIST_PATH = /\/providers\/Microsoft\.Web\/sites\/[^/]+\/config\/appsettings\/list$/i;

export class WriteRefusedError extends Error {
  constructor(method: string, url: string) {
    super(`the doctor only reads: refused ${method} ${url}`);
    this.name = "WriteRefusedError";
  }
}

/** Refuses, before it leaves the process, any request that could change something in Azure. */
export function readOnlyGuardPolicy(): PipelinePolicy {
  return {
    name: "doctorReadOnlyGuard",
    sendRequest(request, next) {
      const path = new URL(request.url).pathname;
      const allowed = request.method === "GET" || (request.method === "POST" && APP_SETTINGS_LIST_PATH.test(path));
      if (!allowed) return Promise.reject(new WriteRefusedError(request.method, path));
      return next(request);
    },
  };
}
