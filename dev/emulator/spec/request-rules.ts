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
const ROLE_DEFINITION_ID = /^(\/subscriptions\/[^/]+)?\/providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i;

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
    return reject("InvalidSubscriptionId", `The provided subscription identifier '${subscriptionId}' is malformed or invalid.`);
  }
  return undefined;
}

/** Role assignment PUT: the name, principal and role must be well-formed, as the Authorization RP insists. */
export function checkRoleAssignmentCreate(pathParams: Record<string, string>, body: unknown): RequestRejection | undefined {
  const name = pathParams.roleAssignmentName ?? "";
  if (!isGuid(name)) {
    return reject("InvalidRoleAssignmentId", `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);
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
    return reject("InvalidConditionVersion", `The condition version '${conditionVersion}' is not supported. The only supported version is '2.0'.`);
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
