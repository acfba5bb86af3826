/** `npm run tools`: finds or restores the Bicep CLI and PowerShell that test/infra needs, and says which it uses. */
import { describeTool, locateInfraTools, type ToolName } from "./infra-tools";

void locateInfraTools().then((tools) => {
  for (const [name, tool] of Object.entries(tools)) console.log(describeTool(name as ToolName, tool));
  if (Object.values(tools).some((t) => "error" in t)) process.exitCode = 1;
});
