import { time } from "./format";
import { html, type Html } from "./html";
import type { ServiceView } from "./view-types";

/** The line under a service's name: deleted in Azure, converged, or not. */
export function serviceStateLine(service: ServiceView): Html {
  if (service.deletedAt) {
    return html`<p class="converged deleted" role="status">Deleted in Azure (found ${time(service.deletedAt)}): ${service.deletedReason ?? "ARM says it does not exist"}. Nothing is scheduled for it.</p>`;
  }
  return html`<p class="converged ${service.converged ? "yes" : "no"}">${service.converged ? "Converged: nothing left to do" : "Not converged: servers still need attention"}</p>`;
}
