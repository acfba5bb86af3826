/**
 * Checks ARM and the resource providers make beyond the Swagger schema, for
 * the operations the product uses. Each returns an ARM error (code and
 * message as ARM words them) or undefined.
 */
export interface RequestRejection {
  status: 400;
  code: string;
  message: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROLE_DEFINITION_ID =
  /^(\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

function reject(code: string, message: string): RequestRejection {
  return { status: 400, code, message };
}

export function checkSubscriptionId(pathParams: Record<string, string>): RequestRejection | undefined {
  const fromScope = /^\/subscriptions\/([^/]+)/i.exec(pathParams.scope ?? "")?.[1];
  const subscriptionId = pathParams.subscriptionId ?? fromScope;
  if (subscriptionId !== undefined && !isGuid(subscriptionId)) {
    return reject(
      "InvalidSubscriptionId",
      `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`,
    );
  }
  return undefined;
}

/**
 * Resource group and Storage Sync Service names ARM refuses, checked on every
 * request that names them (the product must never reach a resource ARM would
 * not have). Sources: ARM's resource-name rules
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules) —
 * resource group 1–90 letters/digits (Unicode too), `_ - . ( )`, not ending in `.`, answered as
 * 400 InvalidResourceGroup (wording as ARM gives it in https://github.com/Azure/azure-cli/issues/14481);
 * Storage Sync Service 1–260 alphanumerics, spaces, `. - _`, not ending in `.` or space
 * (https://learn.microsoft.com/azure/templates/microsoft.storagesync/storagesyncservices). The code for a bad
 * service name (InvalidResourceName) and the 400 on reads too are the emulator's stricter choice.
 */
export function checkResourceNames(pathParams: Record<string, string>): RequestRejection | undefined {
  const rg = pathParams.resourceGroupName;
  if (rg !== undefined) {
    const bad = [...new Set(rg.replace(/[\p{L}\p{Nd}_\-.()]/gu, ""))].join("");
    if (rg.length < 1 || rg.length > 90 || bad !== "" || rg.endsWith(".")) {
      const why =
        bad !== ""
          ? `has these invalid characters: '${bad}'`
          : rg.endsWith(".")
            ? "ends with a period"
            : "is not 1-90 characters long";
      return reject(
        "InvalidResourceGroup",
        `The provided resource group name '${rg}' ${why}. The name can only be a letter, digit, '-', '.', '(', ')' or '_', and cannot end with a period.`,
      );
    }
  }
  const service = pathParams.storageSyncServiceName;
  if (service !== undefined && (!/^[A-Za-z0-9 ._-]{1,260}$/.test(service) || /[. ]$/.test(service))) {
    return reject(
      "InvalidResourceName",
      `The resource name '${service}' is invalid. A Storage Sync Service name has 1-260 letters, digits, spaces, '.', '-' or '_' and cannot end with a period or a space.`,
    );
  }
  return undefined;
}

/**
 * A `.` or `..` path segment (also percent-encoded): ARM ids never have one, and URL parsing would resolve it into
 * another resource's path.
 */
export function checkDotSegments(rawPath: string): RequestRejection | undefined {
  const segments = rawPath.split("?")[0]?.split("/") ?? [];
  const dot = segments.find((s) => /^(\.|%2e){1,2}$/i.test(s));
  return dot === undefined
    ? undefined
    : reject("InvalidRequestUri", `The request URI has a '${dot}' path segment; ARM resource ids have none.`);
}

/** Role assignment PUT: the name, principal and role must be well-formed, as the Authorization RP insists. */
export function checkRoleAssignmentCreate(
  pathParams: Record<string, string>,
  body: unknown,
): RequestRejection | undefined {
  const name = pathParams.roleAssignmentName ?? "";
  if (!isGuid(name)) {
    return reject(
      "InvalidRoleAssignmentId",
      `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`,
    );
  }
  const properties = propertiesOf(body);
  const principalId = valueOf(properties, "principalId");
  if (typeof principalId === "string" && !isGuid(principalId)) {
    return reject("InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
  }
  const roleDefinitionId = valueOf(properties, "roleDefinitionId");
  if (typeof roleDefinitionId === "string" && !ROLE_DEFINITION_ID.test(roleDefinitionId)) {
    return reject("InvalidRoleDefinitionId", `The role definition ID '${roleDefinitionId}' is not valid.`);
  }
  const conditionVersion = valueOf(properties, "conditionVersion");
  if (typeof conditionVersion === "string" && conditionVersion !== "2.0") {
    return reject(
      "InvalidConditionVersion",
      `The condition version '${conditionVersion}' is not supported. The only supported version is '2.0'.`,
    );
  }
  const condition = valueOf(properties, "condition");
  if (conditionVersion !== undefined && conditionVersion !== null && (condition === undefined || condition === null)) {
    return reject("InvalidRoleAssignmentRequest", "A condition version was given without a condition.");
  }
  return undefined;
}

function propertiesOf(body: unknown): Record<string, unknown> {
  const properties = valueOf(body, "properties");
  return typeof properties === "object" && properties !== null ? (properties as Record<string, unknown>) : {};
}

/** Case-insensitive property read, as ARM's deserializer binds names. */
export function valueOf(object: unknown, name: string): unknown {
  if (typeof object !== "object" || object === null || Array.isArray(object)) return undefined;
  const record = object as Record<string, unknown>;
  if (name in record) return record[name];
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}
