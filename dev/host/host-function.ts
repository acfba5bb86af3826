import type { RegisteredFunction } from "./registered-function";

/** A registration the host has validated, with `%SETTING%` references resolved. */
export type HostFunction = HttpFunction | QueueFunction | TimerFunction | EventGridFunction;

interface Base {
  name: string;
  registration: RegisteredFunction;
  /** Queue output bindings to write after a successful invocation. */
  queueOutputs: QueueOutput[];
}

export type AuthLevel = "anonymous" | "function" | "admin";

export interface HttpFunction extends Base {
  kind: "http";
  route: string;
  methods: string[];
  authLevel: AuthLevel;
}

export interface QueueFunction extends Base {
  kind: "queue";
  queueName: string;
  connection: string;
}

export interface TimerFunction extends Base {
  kind: "timer";
  schedule: string;
  runOnStartup: boolean;
}

export interface EventGridFunction extends Base {
  kind: "eventGrid";
}

export interface QueueOutput {
  /** Binding name; "$return" for the return value. */
  bindingName: string;
  queueName: string;
  connection: string;
}
