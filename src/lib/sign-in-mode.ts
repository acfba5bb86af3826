/**
 * How the status page knows its visitor: by the function key, or as the user App Service Authentication signed in with
 * Entra ID.
 */
export type SignInMode = "functionKey" | "entra";

/**
 * The status page's sign-in mode, read when its function registers (the auth
 * level is part of the registration) without loading the settings' schema, so
 * the function module stays light at cold start. Never throws: any other value
 * keeps the function key (the safe side), and loadConfig names it at start-up
 * and on every invocation.
 */
export function loadStatusPageSignIn(env: NodeJS.ProcessEnv = process.env): SignInMode {
  return env.STATUS_PAGE_SIGN_IN?.trim().toLowerCase() === "entra" ? "entra" : "functionKey";
}
