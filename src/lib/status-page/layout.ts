import { html, type Html, type HtmlValue } from "./html";
import type { PageLinks } from "./links";
import type { SignedInUser } from "./sign-in";

export interface PageFrame {
  title: string;
  links: PageLinks;
  user?: SignedInUser;
  /** Breadcrumbs after "All services": label and href (the last one is the current page, no href). */
  trail?: { label: string; href?: string }[];
  /** Seconds after which the browser reloads (a queued or running run); no script needed. */
  refreshSeconds?: number;
}

/** The document around every page: landmarks, skip link, breadcrumbs, the served stylesheet. */
export function layout(frame: PageFrame, body: HtmlValue): Html {
  const crumbs = [{ label: "All services", href: frame.links.overview() }, ...(frame.trail ?? [])];
  const last = crumbs.length - 1;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${frame.refreshSeconds ? html`<meta http-equiv="refresh" content="${frame.refreshSeconds}">` : ""}
<title>${frame.title} · File Sync identities</title>
<link rel="stylesheet" href="${frame.links.stylesheet()}">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand">File Sync managed identities</p>
${frame.user ? html`<p class="user">Signed in as <strong>${frame.user.name}</strong></p>` : ""}
</header>
<nav aria-label="Breadcrumb" class="crumbs"><ol>${crumbs.map((c, i) =>
    i === last || !c.href
      ? html`<li aria-current="page">${c.label}</li>`
      : html`<li><a href="${c.href}">${c.label}</a></li>`,
  )}</ol></nav>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

/** The "dry run" and "re-run" buttons: plain forms that POST to the page's reconcile route. */
export function rerunForms(links: PageLinks, serviceId: string, name: string): Html {
  const form = (
    dryRun: boolean,
    label: string,
    hint: string,
  ) => html`<form method="post" action="${links.reconcile()}" class="action">
<input type="hidden" name="serviceId" value="${serviceId}">
${dryRun ? html`<input type="hidden" name="dryRun" value="true">` : ""}
<button type="submit" aria-label="${label} ${name}" title="${hint}">${label}</button>
</form>`;
  return html`<div class="actions">${form(true, "Dry run", "Observe and plan only; nothing is written to Azure")}${form(false, "Re-run", "Reconcile now: grant, enable and switch what is missing")}</div>`;
}

const STATE_LABELS: Record<string, string> = {
  NoIdentity: "No identity",
  AgentTooOld: "Agent too old",
  AgentExpired: "Agent expired",
  ClusterName: "Cluster name",
  Eligible: "Eligible",
  Switched: "Switched, waiting",
  Active: "Using Managed ID",
  ActivationOverdue: "Overdue",
  Failed: "Failed",
};

/** A server state as a labelled badge: the words carry the meaning, the colour only repeats it. */
export function stateBadge(state: string): Html {
  return html`<span class="badge state-${state}">${STATE_LABELS[state] ?? state}</span>`;
}

export function runStatusBadge(status: string): Html {
  return html`<span class="badge run-${status}">${status}</span>`;
}
