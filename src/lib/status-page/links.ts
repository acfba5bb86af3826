import { apiBase } from "../http/api-types";

/**
 * Every URL the pages link to, as paths on the app's own origin. With the
 * function key (local stack, scripts) the key arrived as `?code=` and must
 * ride along on every link and form, or the next page would answer 401;
 * behind Entra sign-in there is no code and links carry none.
 */
export interface PageLinks {
  overview(): string;
  service(serviceId: string): string;
  server(serviceId: string, serverId: string): string;
  run(runId: string): string;
  reconcile(): string;
  stylesheet(): string;
}

export const STYLESHEET_ROUTE = "page-assets/style.css";

export function pageLinks(requestUrl: string): PageLinks {
  const apiPath = apiBase(requestUrl);
  const code = new URL(requestUrl).searchParams.get("code");
  const to = (path: string, query: Record<string, string> = {}): string => {
    const params = new URLSearchParams(query);
    if (code) params.set("code", code);
    const search = params.toString();
    return `${apiPath}/page${path}${search ? `?${search}` : ""}`;
  };
  return {
    overview: () => to(""),
    service: (serviceId) => to("/service", { id: serviceId }),
    server: (serviceId, serverId) => to("/server", { service: serviceId, id: serverId }),
    run: (runId) => to(`/runs/${encodeURIComponent(runId)}`),
    reconcile: () => to("/reconcile"),
    stylesheet: () => `${apiPath}/${STYLESHEET_ROUTE}`,
  };
}
