import { app } from "@azure/functions";

// A bad setting stops the worker at start-up with a message naming it; should a
// host not run start hooks, every invocation still fails with that message
// (the composition root reads the settings on first use). The worker loads this
// and every function module before its first invocation, so what they import at
// the top is paid on every cold start: the settings' schema loads in the hook.
app.hook.appStart(async () => {
  const { loadConfig } = await import("./lib/config.js");
  loadConfig(process.env);
});
