import { Cron } from "croner";
import { resolveSettingReferences } from "./app-settings";
import type { AuthLevel, HostFunction, QueueOutput } from "./host-function";
import type { RegisteredFunction } from "./registered-function";

/** Every problem found in the app's registrations; the host refuses to start on any. */
export class InvalidRegistrationsError extends Error {
  constructor(public readonly problems: string[]) {
    super(`The app's function registrations are invalid; the host will not start:\n  - ${problems.join("\n  - ")}`);
    this.name = "InvalidRegistrationsError";
  }
}

type Settings = Readonly<Record<string, string | undefined>>;

const QUEUE_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;
const AUTH_LEVELS: readonly AuthLevel[] = ["anonymous", "function", "admin"];
const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT"];
export const DEFAULT_CONNECTION = "AzureWebJobsStorage";

/** A binding's fields, trigger or not. */
type BindingFields = Readonly<Record<string, unknown>>;

/** A field problem, thrown inside one function's validation and collected with the function's name. */
class FieldProblem extends Error {}

function stringField(binding: BindingFields, field: string, what: string): string {
  const value = binding[field];
  if (typeof value !== "string" || value.trim() === "") throw new FieldProblem(`${what} needs a non-empty "${field}"`);
  return value;
}

function resolved(value: string, settings: Settings, field: string): string {
  try {
    return resolveSettingReferences(value, settings);
  } catch (error) {
    throw new FieldProblem(`${field}: ${(error as Error).message}`);
  }
}

function queueName(binding: BindingFields, settings: Settings, what: string): string {
  const name = resolved(stringField(binding, "queueName", what), settings, "queueName");
  if (!QUEUE_NAME.test(name)) {
    throw new FieldProblem(
      `queueName "${name}" is not a valid queue name (3-63 lower-case letters, digits and single hyphens)`,
    );
  }
  return name;
}

/** The storage connection a binding names must be configured: a connection string or identity-based service URI. */
function connection(binding: BindingFields, settings: Settings): string {
  const name =
    typeof binding.connection === "string" && binding.connection !== "" ? binding.connection : DEFAULT_CONNECTION;
  const configured = [name, `${name}__queueServiceUri`, `${name}__serviceUri`].some(
    (key) => (settings[key] ?? "") !== "",
  );
  if (!configured)
    throw new FieldProblem(
      `connection "${name}" is not configured: set the app setting ${name} (connection string) or ${name}__queueServiceUri`,
    );
  return name;
}

function validateOne(registration: RegisteredFunction, settings: Settings): HostFunction {
  const { trigger, name } = registration;
  const queueOutputs: QueueOutput[] = [];
  for (const [bindingName, binding] of Object.entries(registration.metadata.bindings)) {
    if (bindingName === trigger.bindingName) continue;
    if (binding.direction === "in")
      throw new FieldProblem(`input binding "${bindingName}" (${binding.type}) is not supported by the local host`);
    if (binding.type === "http" && trigger.type === "httpTrigger") continue;
    if (binding.type === "queue") {
      queueOutputs.push({
        bindingName,
        queueName: queueName(binding, settings, `queue output "${bindingName}"`),
        connection: connection(binding, settings),
      });
      continue;
    }
    throw new FieldProblem(
      `output binding "${bindingName}" of type "${binding.type}" is not supported by the local host (only queue outputs, and http for HTTP triggers)`,
    );
  }
  const base = { name, registration, queueOutputs };
  switch (trigger.type) {
    case "httpTrigger": {
      const authLevel = String(trigger.authLevel ?? "anonymous").toLowerCase() as AuthLevel;
      if (!AUTH_LEVELS.includes(authLevel))
        throw new FieldProblem(`authLevel "${String(trigger.authLevel)}" must be one of ${AUTH_LEVELS.join(", ")}`);
      const rawMethods = trigger.methods ?? ["GET", "POST"];
      if (!Array.isArray(rawMethods) || rawMethods.length === 0)
        throw new FieldProblem(`methods must be a non-empty list`);
      const methods = rawMethods.map((m) => String(m).toUpperCase());
      const unknown = methods.filter((m) => !HTTP_METHODS.includes(m));
      if (unknown.length > 0) throw new FieldProblem(`unknown HTTP method(s) ${unknown.join(", ")}`);
      const route =
        typeof trigger.route === "string" && trigger.route.trim() !== ""
          ? trigger.route.trim().replace(/^\/+|\/+$/g, "")
          : name;
      return { ...base, kind: "http", route, methods, authLevel };
    }
    case "queueTrigger":
      return {
        ...base,
        kind: "queue",
        queueName: queueName(trigger, settings, "a queue trigger"),
        connection: connection(trigger, settings),
      };
    case "timerTrigger": {
      const schedule = resolved(stringField(trigger, "schedule", "a timer trigger"), settings, "schedule");
      if (schedule.trim().split(/\s+/).length !== 6) {
        throw new FieldProblem(
          `schedule "${schedule}" must be a six-field NCRONTAB expression ({second} {minute} {hour} {day} {month} {day-of-week})`,
        );
      }
      try {
        new Cron(schedule, { paused: true }).stop();
      } catch (error) {
        throw new FieldProblem(
          `schedule "${schedule}" is not a valid NCRONTAB expression: ${(error as Error).message}`,
        );
      }
      return { ...base, kind: "timer", schedule, runOnStartup: trigger.runOnStartup === true };
    }
    case "eventGridTrigger":
      return { ...base, kind: "eventGrid" };
    default:
      throw new FieldProblem(
        `trigger type "${trigger.type}" is not supported by the local host (httpTrigger, eventGridTrigger, queueTrigger, timerTrigger)`,
      );
  }
}

/** Validates every registration against the settings; throws InvalidRegistrationsError listing all problems. */
export function validateRegistrations(registrations: RegisteredFunction[], settings: Settings): HostFunction[] {
  const problems: string[] = [];
  const functions: HostFunction[] = [];
  for (const registration of registrations) {
    try {
      functions.push(validateOne(registration, settings));
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      problems.push(`function "${registration.name}": ${error.message}`);
    }
  }
  const routes = new Map<string, string>();
  for (const fn of functions) {
    if (fn.kind !== "http") continue;
    for (const method of fn.methods) {
      const key = `${method} ${fn.route.toLowerCase()}`;
      const other = routes.get(key);
      if (other) problems.push(`function "${fn.name}": route ${key} is already served by "${other}"`);
      routes.set(key, fn.name);
    }
  }
  if (registrations.length === 0) problems.push("the app registers no function");
  if (problems.length > 0) throw new InvalidRegistrationsError(problems);
  return functions;
}
