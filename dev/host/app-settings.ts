/**
 * `%NAME%` references in binding fields (queue names, schedules) are resolved
 * from the app settings, as the Functions runtime does. A reference to a
 * setting that does not exist is an error, never an empty string.
 */

const REFERENCE = /%([^%\s]+)%/g;

export class MissingSettingError extends Error {
  constructor(
    public readonly settingNames: string[],
    value: string,
  ) {
    super(
      `"${value}" references app setting${settingNames.length > 1 ? "s" : ""} ${settingNames.map((n) => `%${n}%`).join(", ")} which ${settingNames.length > 1 ? "are" : "is"} not set`,
    );
    this.name = "MissingSettingError";
  }
}

export function resolveSettingReferences(
  value: string,
  settings: Readonly<Record<string, string | undefined>>,
): string {
  const missing = [...value.matchAll(REFERENCE)].map((m) => m[1] ?? "").filter((name) => (settings[name] ?? "") === "");
  if (missing.length > 0) throw new MissingSettingError(missing, value);
  return value.replace(REFERENCE, (_whole, name: string) => settings[name] ?? "");
}
