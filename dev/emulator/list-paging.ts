import type { Reply } from "./handlers/types";

/**
 * Optional paging of list answers (`listPageSize`): the specs declare single
 * pages, but ARM may still page, and clients must follow `nextLink`. Pages
 * are addressed with `$skipToken` (an offset), kept on the same URL.
 */
export function pageList(reply: Reply, pageSize: number, url: URL, armEndpoint: string): Reply {
  const body = reply.body as { value?: unknown } | undefined;
  if (pageSize <= 0 || reply.status !== 200 || !body || !Array.isArray(body.value)) return reply;
  const offset = Math.max(0, Number.parseInt(url.searchParams.get("$skipToken") ?? "0", 10) || 0);
  const page = body.value.slice(offset, offset + pageSize);
  const out: Record<string, unknown> = { value: page };
  if (offset + pageSize < body.value.length) {
    const next = new URL(url.toString());
    next.searchParams.set("$skipToken", String(offset + pageSize));
    out.nextLink = `${armEndpoint}${url.pathname}?${next.searchParams.toString()}`;
  }
  return { ...reply, body: out };
}
