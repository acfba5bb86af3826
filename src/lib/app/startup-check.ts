import { app } from "@azure/functions";

/**
 * A bad setting stops the worker at start-up with a message naming it; should
 * a host not run start hooks, every invocation still fails with that message.
 * Every function module imports this (and nothing heavier at load): the
 * worker loads all of them before its first invocation, so what they import
 * at the top is paid on every cold start; each handler imports the rest of
 * the app when it first runs.
 */
app.hook.appStart(async () => {
  const { loadConfig } = await import("../config.js");
  loadConfig(process.env);
});
