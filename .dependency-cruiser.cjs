// The import rule of src/ (run by `npm run lint`). Layers, bottom to top:
//   azure → reconcile → tables → queue → store → scheduling, ports, telemetry →
//   events, activation, http, status-page, worker, sweep → composition → functions
// A module imports only from its own layer or below; only src/functions
// (and src/index.ts) reach the composition root; no import cycles at all.
// src/functions and src/index.ts import little at the top (cold start).
// src/lib/azure, src/lib/reconcile and src/lib/store are entered only through
// their index.ts.
const HANDLERS = "events|activation|http|status-page|worker|sweep";
const above = (...layers) => `^src/lib/(${layers.join("|")})/`;
// Folders whose index.ts is their public surface: other folders import them only through it.
const FRONT_DOORS = ["azure", "reconcile", "store"];
const throughFrontDoor = (folder) => ({
  name: `${folder}-through-its-index`,
  severity: "error",
  comment: `Outside src/lib/${folder}, import it as "…/${folder}" (its index.ts), never one of its files: the index is what it offers.`,
  from: { path: "^src/", pathNot: `^src/lib/${folder}/` },
  to: { path: `^src/lib/${folder}/`, pathNot: `^src/lib/${folder}/index\\.ts$` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...FRONT_DOORS.map(throughFrontDoor),
    { name: "no-circular", severity: "error", comment: "Imports run one way.", from: {}, to: { circular: true } },
    {
      name: "azure-is-the-bottom",
      severity: "error",
      comment: "src/lib/azure talks to ARM and owns its error and call-count types; it imports nothing else of ours.",
      from: { path: "^src/lib/azure/" },
      to: { path: "^src/", pathNot: "^src/lib/azure/" },
    },
    {
      name: "spec-stands-alone",
      severity: "error",
      comment:
        "src/lib/spec is the REST contracts (catalog, validator): the emulator answers with it and the doctor checks Azure's answers against it; it imports nothing else of ours.",
      from: { path: "^src/lib/spec/" },
      to: { path: "^src/", pathNot: "^src/lib/spec/" },
    },
    {
      name: "reconcile-reads-only-azure",
      severity: "error",
      comment: "The engine (observe → plan → apply) knows ARM, not tables, queues or the Functions app.",
      from: { path: "^src/lib/reconcile/" },
      to: { path: "^src/", pathNot: "^src/lib/(azure|reconcile)/" },
    },
    {
      name: "tables-below-queue-and-store",
      severity: "error",
      comment:
        "Table primitives (keys, run ids, entity and JSON-column helpers, table errors) sit below every repository.",
      from: { path: "^src/lib/tables/" },
      to: { path: above("reconcile", "queue", "store", "scheduling", "ports", "telemetry", HANDLERS, "composition") },
    },
    {
      name: "queue-below-store",
      severity: "error",
      comment: "Queue messages are read by the table repositories, never the other way round.",
      from: { path: "^src/lib/queue/" },
      to: { path: above("reconcile", "store", "scheduling", "ports", "telemetry", HANDLERS, "composition") },
    },
    {
      name: "store-below-handlers",
      severity: "error",
      comment: "The table repositories know rows, not who asks for them.",
      from: { path: "^src/lib/store/" },
      to: { path: above("scheduling", "ports", "telemetry", HANDLERS, "composition") },
    },
    {
      name: "scheduling-and-ports-below-handlers",
      severity: "error",
      from: { path: "^src/lib/(scheduling|ports|telemetry)/" },
      to: { path: above(HANDLERS, "composition") },
    },
    {
      name: "telemetry-exporter-only-in-the-composition-root",
      severity: "error",
      comment:
        "Handlers emit through the Telemetry port; only the composition root builds the Azure Monitor exporter behind it.",
      from: { path: "^src/", pathNot: "^src/lib/(composition|telemetry)/" },
      to: { path: "^src/lib/telemetry/azure-monitor" },
    },
    {
      name: "only-functions-reach-the-composition-root",
      severity: "error",
      comment: "Handlers take narrow dependencies; src/functions builds them (src/lib/composition) and passes them in.",
      from: { path: "^src/", pathNot: "^src/(functions/|lib/composition/)" },
      to: { path: "^src/lib/composition/" },
    },
    {
      name: "functions-load-light",
      severity: "error",
      comment:
        "The worker loads src/index.ts and every function module before the first invocation: at the top they import only @azure/functions and a constant or two; the rest (the composition root, the Azure SDK) is imported with await import() when a handler first runs.",
      from: { path: "^src/(functions/|index\\.ts$)" },
      to: {
        dependencyTypesNot: ["dynamic-import", "type-only"],
        pathNot: "^(node_modules/@azure/functions/|src/lib/sign-in-mode\\.ts$|src/lib/status-page/links\\.ts$)",
      },
    },
    {
      name: "src-stands-alone",
      severity: "error",
      comment: "The product never imports the local host, the emulator, tests or benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(dev|test|bench)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
