#!/bin/sh
# azd predown hook: remove what `azd down` cannot see because it lives outside
# the app's resource group: the app identity's role assignments at each managed
# scope, the custom role definitions, and the Event Grid resources in the
# managed subscriptions. Runs before the identity is deleted, so no orphaned
# "Identity not found" assignments remain. Needs the Azure CLI (az login).
set -u

if ! az account show >/dev/null 2>&1; then
  echo "predown: the Azure CLI is not signed in; run 'az login' first" >&2
  exit 1
fi
principal="${AZURE_FUNCTION_APP_IDENTITY_PRINCIPAL_ID:-}"
prefix="$(printf 'afsid-%s' "${AZURE_ENV_NAME:-}" | cut -c1-44)-"
status=0

old_ifs=$IFS
IFS=','
if [ -n "$principal" ]; then
  for scope in ${AZURE_MANAGED_SCOPES:-}; do
    echo "predown: removing role assignments of $principal at $scope"
    az role assignment delete --assignee "$principal" --scope "$scope" --only-show-errors || status=1
  done
fi

# Event subscriptions on every topic (reused topics stay; only ours go).
for topic in $(printf '%s' "${AZURE_EVENT_GRID_DELIVERIES:-}" | tr -d '[]{} ' | tr ',' '\n' | sed -n 's/^"topicId":"\(.*\)"$/\1/p' | sort -u | tr '\n' ','); do
  sub=$(echo "$topic" | cut -d/ -f3); group=$(echo "$topic" | cut -d/ -f5); name=$(echo "$topic" | cut -d/ -f9)
  for es in $(az eventgrid system-topic event-subscription list --subscription "$sub" -g "$group" --system-topic-name "$name" \
    --query "[?starts_with(name, '$prefix')].name" -o tsv 2>/dev/null | tr '\n' ','); do
    echo "predown: deleting event subscription $es on $topic"
    az eventgrid system-topic event-subscription delete --subscription "$sub" -g "$group" --system-topic-name "$name" -n "$es" --yes --only-show-errors || status=1
  done
done

for group_id in ${AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS:-}; do
  sub=$(echo "$group_id" | cut -d/ -f3); group=$(echo "$group_id" | cut -d/ -f5)
  echo "predown: deleting resource group $group in subscription $sub (system topic)"
  az group delete --subscription "$sub" -n "$group" --yes --only-show-errors || status=1
done

for role in ${AZURE_CUSTOM_ROLE_IDS:-}; do
  echo "predown: deleting custom role $role"
  az role definition delete --name "$role" --scope "/subscriptions/${AZURE_CUSTOM_ROLE_SUBSCRIPTION_ID:-}" --only-show-errors || status=1
done
IFS=$old_ifs
exit $status
