#!/bin/sh
# azd preprovision hook: checks the values infra/main.parameters.json passes on,
# with the rules src/lib/config.ts applies to MANAGED_SCOPES, so that a typo
# fails here with a message naming it rather than deep inside an ARM deployment.
set -u
status=0
nl='
'

fail() {
  echo "preprovision: $1" >&2
  status=1
}

trim() {
  printf '%s' "$1" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//'
}

# One line, matching the extended regular expression $2 (case-insensitive).
matches() {
  case "$1" in *"$nl"*) return 1 ;; esac
  printf '%s\n' "$1" | grep -Eiq "$2"
}

count=0
old_ifs=$IFS
IFS=','
for raw in ${MANAGED_SCOPES:-}; do
  scope=$(trim "$raw" | sed -e 's:/*$::')
  [ -z "$scope" ] && continue
  count=$((count + 1))
  if ! matches "$scope" '^/subscriptions/[0-9a-f-]{36}(/resourceGroups/[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()])?$'; then
    fail "MANAGED_SCOPES entry '$scope' must look like /subscriptions/{guid} or /subscriptions/{guid}/resourceGroups/{name} (a resource group name cannot end with a period)"
  fi
done
if [ "$count" -eq 0 ]; then
  fail "MANAGED_SCOPES is required: azd env set MANAGED_SCOPES \"/subscriptions/{id}[,/subscriptions/{id}/resourceGroups/{name}]\""
fi

seen=','
for raw in ${EXISTING_SYSTEM_TOPIC_IDS:-}; do
  topic=$(trim "$raw")
  [ -z "$topic" ] && continue
  if ! matches "$topic" '^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]/providers/Microsoft\.EventGrid/systemTopics/[-A-Za-z0-9]{3,128}$'; then
    fail "EXISTING_SYSTEM_TOPIC_IDS entry '$topic' must be a system topic id: /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.EventGrid/systemTopics/{name}"
    continue
  fi
  sub=$(printf '%s' "$topic" | cut -d/ -f3 | tr 'A-F' 'a-f')
  case "$seen" in
    *",$sub,"*) fail "EXISTING_SYSTEM_TOPIC_IDS names two topics in subscription $sub; Azure allows one Microsoft.Resources.Subscriptions topic per subscription" ;;
  esac
  seen="$seen$sub,"
done
IFS=$old_ifs

case "${AFS_ACCESS_OPTION:-FileSyncAdministrator}" in
  FileSyncAdministrator | RbacAdministratorWithCondition) ;;
  *) fail "AFS_ACCESS_OPTION must be FileSyncAdministrator or RbacAdministratorWithCondition, not '${AFS_ACCESS_OPTION:-}'" ;;
esac
exit $status
