/** The expression evaluator behind main-logic.test.ts. */
import { describe, expect, it } from "vitest";
import { EvaluationError, evaluateExpression, type BicepData } from "./bicep/evaluate";

const names: Record<string, BicepData> = { list: ["b", "a", "b"], obj: { k: "v", n: 2 }, text: " A/b/ " };
const run = (text: string) => evaluateExpression(text, (name) => names[name]);

describe("evaluateExpression", () => {
  it("applies operator precedence and both kinds of equality", () => {
    expect(run("1 + 2 * 3 == 7 && !false")).toBe(true);
    expect(run("'AbC' =~ 'abc' || false")).toBe(true);
    expect(run("obj.missing ?? 'fallback'")).toBe("fallback");
  });

  it("evaluates only the ternary branch taken, like ARM's if()", () => {
    expect(run("length(list) > 5 ? list[9] : list[0]")).toBe("b");
    expect(() => run("true ? list[9] : 'x'")).toThrow(EvaluationError);
  });

  it("runs lambdas with items and indexes, and keeps outer variables visible", () => {
    expect(run("map(list, (x, i) => '${i}:${x}')")).toEqual(["0:b", "1:a", "2:b"]);
    expect(run("filter(list, x => x == obj.k || x == 'a')")).toEqual(["a"]);
    expect(run("toObject(list, x => x, x => toUpper(x))")).toEqual({ b: "B", a: "A" });
    expect(run("map(['p/q'], s => filter(split(s, '/'), part => part != s))")).toEqual([["p", "q"]]);
  });

  it("interpolates nested strings and indexes objects safely", () => {
    expect(run("'<${take('x-${trim(text)}', 4)}>'")).toBe("<x-A/>");
    expect(run("obj[?'nope']")).toBeNull();
    expect(() => run("obj['nope']")).toThrow(/no element/);
  });

  it("merges like union(): arrays without repeats, objects with later keys winning", () => {
    expect(run("union(list, ['c', 'a'])")).toEqual(["b", "a", "c"]);
    expect(run("union(obj, { n: 3 })")).toEqual({ k: "v", n: 3 });
  });

  it("names what it cannot evaluate", () => {
    expect(() => run("nothere")).toThrow("unknown name nothere");
    expect(() => run("listKeys(obj)")).toThrow("unknown function listKeys()");
  });
});
