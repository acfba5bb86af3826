import type { ApiRequest } from "../http/api-types";

/**
 * Headers on every page. The CSP allows nothing but the app's own stylesheet
 * and forms posting back to the app: no scripts at all (the pages need none),
 * no inline styles, no framing. Referrer-Policy same-origin keeps `?code=`
 * keys out of Referer headers to other sites (no-referrer would also make
 * the browser send "Origin: null" on the page's own form posts, which the
 * CSRF check must refuse).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

export type OriginCheck = { ok: true } | { ok: false; reason: string };

/**
 * CSRF defence for the page's forms: the browser's own Origin header (or,
 * when a browser omits it, Sec-Fetch-Site) must say the form was posted from
 * this app. Both are set by the browser and cannot be set by a page's script
 * on another site; a POST carrying neither is refused too (a script should
 * call POST /api/reconcile with its key instead). With the function key a
 * forged cross-site form would also lack the key; behind Entra sign-in the
 * session cookie would ride along, which is what this check stops.
 *
 * "This app" is the request's scheme and the Host header the browser sent, the name it connected to
 * (App Service routes a request to the app by it). Never the request URL:
 * a request target such as `//evil.example/api/...` puts another authority
 * into a URL built from it.
 */
export function checkSameOrigin(request: ApiRequest): OriginCheck {
  const host = request.headers.get("host")?.trim().toLowerCase();
  if (!host) return { ok: false, reason: "the request has no Host header to compare its Origin with" };
  // The scheme is the host's (TLS or not); the request target cannot change it.
  const protocol = new URL(request.url).protocol;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    let parsed: URL | undefined;
    try {
      parsed = origin === "null" ? undefined : new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      parsed &&
      parsed.protocol === protocol &&
      parsed.host.toLowerCase() === hostWithoutDefaultPort(host, protocol)
    ) {
      return { ok: true };
    }
    return {
      ok: false,
      reason: `the form was posted from ${origin.slice(0, 200)}, not from this app (${host.slice(0, 200)})`,
    };
  }
  const site = request.headers.get("sec-fetch-site");
  if (site === "same-origin") return { ok: true };
  return {
    ok: false,
    reason: site
      ? `the form was posted from another site (Sec-Fetch-Site: ${site.slice(0, 50)})`
      : "the request has neither an Origin nor a Sec-Fetch-Site header; scripts call POST /api/reconcile with a function key instead",
  };
}

/** A Host header as URL.host writes it for that scheme (the default port dropped). */
function hostWithoutDefaultPort(host: string, protocol: string): string {
  const port = protocol === "https:" ? ":443" : ":80";
  return host.endsWith(port) ? host.slice(0, -port.length) : host;
}
