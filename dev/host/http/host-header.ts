/**
 * Whether a Host header value is `uri-host [":" port]` (RFC 9110 §7.2 with
 * RFC 3986's host grammar), as Kestrel checks it before the request reaches
 * the Functions host (an invalid one gets 400 "Invalid Host header"): a
 * reg-name or IPv4 address, or an IPv6 literal in brackets, then optional digits.
 * An empty value is allowed (RFC 9112 §3.2: the target has no authority).
 */
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT = /^\d{0,5}$/;

export function isValidHostHeader(value: string): boolean {
  if (value === "") return true;
  let host = value;
  let port = "";
  if (value.startsWith("[")) {
    const end = value.indexOf("]");
    if (end < 0) return false;
    host = value.slice(0, end + 1);
    const rest = value.slice(end + 1);
    if (rest !== "") {
      if (!rest.startsWith(":")) return false;
      port = rest.slice(1);
    }
    if (!IP_LITERAL.test(host)) return false;
  } else {
    const colon = value.lastIndexOf(":");
    if (colon >= 0) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (host === "" || !REG_NAME.test(host)) return false;
  }
  return PORT.test(port) && (port === "" || Number(port) <= 65_535) && parsesAsUrlHost(value);
}

/**
 * The request's URL is built on the Host header; an IP literal such as `[:::]` fits the characters but is no address.
 */
function parsesAsUrlHost(value: string): boolean {
  try {
    new URL(`http://${value}/`);
    return true;
  } catch {
    return false;
  }
}
