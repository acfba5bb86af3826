import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, html, join } from "../../../../src/lib/status-page/html";

/** Decodes the entities escapeHtml writes, to check nothing is lost. */
const unescape = (s: string) =>
  s.replace(
    /&(amp|lt|gt|quot|#39|#96);/g,
    (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#96": "`" })[e] ?? "",
  );

describe("html template", () => {
  it("escaped text has no markup characters left and decodes back to the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"'`]/);
        expect(escaped.replace(/&(amp|lt|gt|quot|#39|#96);/g, "")).not.toContain("&");
        expect(unescape(escaped)).toBe(text);
      }),
    );
  });

  it("an interpolated string can never open a tag or leave an attribute", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, attr) => {
        const out = html`<td title="${attr}">${name}</td>`.text;
        expect(out.startsWith('<td title="')).toBe(true);
        expect(out.match(/</g)?.length).toBe(2); // only the template's own <td and </td
        expect(out.match(/"/g)?.length).toBe(2);
      }),
    );
  });

  it("markup built by html`` nests without double escaping; lists join; null, undefined and booleans render nothing", () => {
    const inner = html`<b>${"a&b"}</b>`;
    expect(html`<p>${inner}${[html`<i>x</i>`, "<y>"]}${null}${undefined}${false}${true}${0}</p>`.text).toBe(
      "<p><b>a&amp;b</b><i>x</i>&lt;y&gt;0</p>",
    );
    expect(join(["<", html`<br>`]).text).toBe("&lt;<br>");
  });

  it("an object pretending to be markup is escaped as text", () => {
    const fake = { text: "<script>" } as unknown as string;
    expect(html`${fake}`.text).toBe("[object Object]");
  });
});
