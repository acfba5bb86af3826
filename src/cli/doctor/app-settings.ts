/**
 * The app settings the product needs, by name (src/lib/config.ts reads them;
 * infra/app/api.bicep sets them). Values are never read.
 */
export interface SettingRequirement {
  /** Satisfied when every name of one alternative is present. */
  anyOf: string[][];
  why: string;
}

export function requiredSettings(appHasSystemIdentity: boolean): SettingRequirement[] {
  return [
    { anyOf: [["MANAGED_SCOPES"]], why: "the scopes the app manages" },
    {
      anyOf: [
        ["AzureWebJobsStorage"],
        ["AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri"],
      ],
      why: "the queue and tables the app keeps its work and records in",
    },
    ...(appHasSystemIdentity
      ? []
      : [{ anyOf: [["AZURE_CLIENT_ID"]], why: "which user-assigned identity the app signs in with" }]),
  ];
}

/** The requirements these names do not meet. */
export function unmetSettings(names: string[], requirements: SettingRequirement[]): SettingRequirement[] {
  const present = new Set(names.map((n) => n.toLowerCase()));
  return requirements.filter(
    (r) => !r.anyOf.some((alternative) => alternative.every((n) => present.has(n.toLowerCase()))),
  );
}
