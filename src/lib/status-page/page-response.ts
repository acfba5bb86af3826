import type { Html } from "./html";
import { PAGE_HEADERS } from "./security";

/** What a page route answers: HTML (or a redirect) with the security headers on every response. */
export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function htmlResponse(status: number, page: Html): PageResponse {
  return { status, headers: { ...PAGE_HEADERS, "content-type": "text/html; charset=utf-8" }, body: page.text };
}

/** 303 See Other: after a form POST the browser GETs the target (Post/Redirect/Get). */
export function redirect(location: string, status = 303): PageResponse {
  return { status, headers: { ...PAGE_HEADERS, location }, body: "" };
}
