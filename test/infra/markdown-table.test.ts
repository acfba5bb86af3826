/** Reading the settings table out of Markdown. */
import { describe, expect, it } from "vitest";
import { firstColumnUnderHeading } from "./support/markdown-table";

const doc = `# Title

## Configuration

Text.

| Setting | Default |
|---|---|
| \`A\` | 1 |
| \`B\`, \`C\` | 2 |
| plain | 3 |

### Sub-heading keeps the section

| Name | x |
| :--- | - |
| \`D\` | 4 |

\`\`\`md
## Not a heading inside a fence
| \`Z\` | 0 |
\`\`\`

## Next section

| \`E\` | 5 |
`;

describe("firstColumnUnderHeading", () => {
  it("collects the first column of every table in the section, backticked names as written", () => {
    expect(firstColumnUnderHeading(doc, /configuration/i)).toEqual(["A", "B", "C", "plain", "D"]);
  });

  it("tells a missing heading or a section without a table from an empty table", () => {
    expect(firstColumnUnderHeading(doc, /deployment/i)).toBeUndefined();
    expect(firstColumnUnderHeading("## Configuration\n\nNo table here.\n", /configuration/i)).toBeUndefined();
    expect(firstColumnUnderHeading("## Configuration\n\n| a |\n|---|\n", /configuration/i)).toEqual([]);
  });
});
