import type { Page } from "playwright-core";

export interface ContrastReport {
  /** Elements with their own visible text that were measured. */
  checked: number;
  /** Those below the minimum ratio. */
  low: { text: string; ratio: number; color: string; background: string }[];
}

/** The DOM as far as the check uses it (the project compiles without the DOM library). */
interface El {
  parentElement: El | null;
  childNodes: ArrayLike<{ nodeType: number; textContent: string | null }>;
  getBoundingClientRect(): { width: number; height: number; right: number };
  querySelectorAll(selector: string): ArrayLike<El>;
}

/**
 * WCAG 2.1 contrast of every element with its own visible text against its
 * effective background (the nearest ancestor's opaque background). Runs in
 * Playwright's isolated utility world, so it works with the page's
 * JavaScript off.
 */
export async function contrastReport(page: Page, minimum = 4.5): Promise<ContrastReport> {
  return page.locator("body").evaluate((root: unknown, min: number) => {
    const view = globalThis as unknown as { getComputedStyle(e: El): { color: string; backgroundColor: string } };
    const TEXT_NODE = 3;
    const parse = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]): number => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const backgroundOf = (element: El | null): string => {
      for (let e = element; e; e = e.parentElement) {
        const bg = view.getComputedStyle(e).backgroundColor;
        const alpha = parse(bg)[3];
        if (bg !== "transparent" && (alpha === undefined || alpha > 0.99)) return bg;
      }
      return "rgb(255, 255, 255)";
    };
    const report: { checked: number; low: { text: string; ratio: number; color: string; background: string }[] } = {
      checked: 0,
      low: [],
    };
    const all = (root as El).querySelectorAll("*");
    for (let i = 0; i < all.length; i++) {
      const element = all[i];
      if (!element) continue;
      const own = Array.from(element.childNodes)
        .filter((n) => n.nodeType === TEXT_NODE)
        .map((n) => n.textContent ?? "")
        .join("")
        .trim();
      const box = element.getBoundingClientRect();
      if (!own || box.width === 0 || box.height === 0 || box.right < 0) continue;
      report.checked += 1;
      const color = view.getComputedStyle(element).color;
      const background = backgroundOf(element);
      const [l1, l2] = [luminance(parse(color)), luminance(parse(background))].sort((a, b) => b - a) as [
        number,
        number,
      ];
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < min)
        report.low.push({ text: own.slice(0, 60), ratio: Math.round(ratio * 100) / 100, color, background });
    }
    return report;
  }, minimum);
}
