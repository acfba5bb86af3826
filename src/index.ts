import { app } from "@azure/functions";
import { loadConfig } from "./lib/config";

// A bad setting stops the worker at start-up with a message naming it; should a
// host not run start hooks, every invocation still fails with that message
// (the composition root reads the settings on first use).
app.hook.appStart(() => {
  loadConfig(process.env);
});
