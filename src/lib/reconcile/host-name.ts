/**
 * Registered servers hold no link to their Arc machine or VM; before the agent
 * reports the identity, the host name is the only thread: friendlyName or
 * serverName against the machine's name, case-insensitive, FQDN or short.
 */
function shortHostName(name: string): string {
  return name.trim().toLowerCase().split(".")[0] ?? "";
}

export function hostNamesMatch(machineName: string, serverNames: Array<string | undefined>): boolean {
  const machine = machineName.trim().toLowerCase();
  if (machine === "") return false;
  return serverNames.some((candidate) => {
    if (!candidate || candidate.trim() === "") return false;
    const server = candidate.trim().toLowerCase();
    return server === machine || shortHostName(server) === shortHostName(machine);
  });
}
