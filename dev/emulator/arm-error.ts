/** An error answered to the client in ARM's shape: `{"error":{"code","message"}}`. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ArmError";
  }

  body(): { error: { code: string; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export const notFound = (what: string, resourceGroup?: string): ArmError =>
  new ArmError(
    404,
    "ResourceNotFound",
    resourceGroup
      ? `The Resource '${what}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`
      : `The Resource '${what}' was not found.`,
  );

export const badRequest = (code: string, message: string): ArmError => new ArmError(400, code, message);
