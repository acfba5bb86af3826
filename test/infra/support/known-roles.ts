/**
 * Every role id allowed to appear in infra/, with its name. The first group is
 * the product needs (least privilege for the automation's identity, and the
 * two roles File Sync needs); the second is what the deployment itself needs
 * for keyless storage, Entra-only telemetry and Event Grid dead-lettering.
 * docs/deployment.md (Roles) explains each one; a test checks that it lists them all.
 */
export const APP_ROLES = {
  "92b92042-07d9-4307-87f7-36a593fc5850": "Azure File Sync Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
  "17d1049b-9a84-46fb-8f53-869881c3d3ab": "Storage Account Contributor",
  "69566ab7-960f-475b-8e7c-b3118f30c6bd": "Storage File Data Privileged Contributor",
} as const;

export const DEPLOYMENT_ROLES = {
  "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
  "974c5e8b-45b9-4653-ba55-5f855dd0fb88": "Storage Queue Data Contributor",
  "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3": "Storage Table Data Contributor",
  "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
  "3913510d-42f4-4e42-8a64-420c390055eb": "Monitoring Metrics Publisher",
} as const;

export const KNOWN_ROLES: Readonly<Record<string, string>> = { ...APP_ROLES, ...DEPLOYMENT_ROLES };

/** The only roles the app may hand out (what Set-AzStorageSyncServiceIdentity assigns). */
export const ASSIGNABLE_ROLE_IDS = ["17d1049b-9a84-46fb-8f53-869881c3d3ab", "69566ab7-960f-475b-8e7c-b3118f30c6bd"];

export const GUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
