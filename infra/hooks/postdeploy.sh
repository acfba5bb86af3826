#!/bin/sh
# azd postdeploy hook: subscribe the deployed events function to ARM writes.
# Runs infra/event-subscriptions.bicep as a second deployment because the
# Event Grid webhook and its eventgrid_extension system key exist only once the
# host has loaded the deployed code. Needs the Azure CLI (az login) in the same
# tenant as azd. Idempotent: re-running updates the same event subscriptions.
set -eu

for name in AZURE_ENV_NAME AZURE_LOCATION AZURE_SUBSCRIPTION_ID AZURE_RESOURCE_GROUP \
  AZURE_FUNCTION_APP_NAME AZURE_FUNCTION_APP_HOSTNAME AZURE_STORAGE_ACCOUNT_ID \
  AZURE_DEAD_LETTER_CONTAINER AZURE_EVENT_GRID_DELIVERIES; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "postdeploy: $name is not set; run 'azd provision' first" >&2
    exit 1
  fi
done
events_function="${EVENTS_FUNCTION_NAME:-armEvents}"
poll_seconds="${POSTDEPLOY_POLL_SECONDS:-10}"

if ! az account show >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI is not signed in; run 'az login' and then 'azd hooks run postdeploy'" >&2
  exit 1
fi
az account set --subscription "$AZURE_SUBSCRIPTION_ID"

# Wake the host so it loads the Event Grid extension, then wait until the
# extension has created its system key (the webhook rejects calls without it).
curl -s -o /dev/null --max-time 60 "https://$AZURE_FUNCTION_APP_HOSTNAME/" || true
attempt=1
while :; do
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.eventgrid_extension" -o tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  if [ "$attempt" -ge 30 ]; then
    echo "postdeploy: no eventgrid_extension key after $attempt tries; is function '$events_function' deployed? Re-run: azd hooks run postdeploy" >&2
    exit 1
  fi
  echo "postdeploy: waiting for the host to create the Event Grid key ($attempt/30)"
  attempt=$((attempt + 1))
  sleep "$poll_seconds"
done
unset key # the deployment reads the key itself with listKeys

params=$(mktemp)
trap 'rm -f "$params"' EXIT
cat >"$params" <<JSON
{
  "\$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "environmentName": { "value": "$AZURE_ENV_NAME" },
    "functionAppResourceGroup": { "value": "$AZURE_RESOURCE_GROUP" },
    "functionAppName": { "value": "$AZURE_FUNCTION_APP_NAME" },
    "eventsFunctionName": { "value": "$events_function" },
    "deliveries": { "value": $AZURE_EVENT_GRID_DELIVERIES },
    "deadLetterStorageAccountId": { "value": "$AZURE_STORAGE_ACCOUNT_ID" },
    "deadLetterContainerName": { "value": "$AZURE_DEAD_LETTER_CONTAINER" }
  }
}
JSON

here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
az deployment sub create \
  --name "afsid-events-$AZURE_ENV_NAME" \
  --location "$AZURE_LOCATION" \
  --template-file "$here/../event-subscriptions.bicep" \
  --parameters "@$params" \
  --only-show-errors --output none
echo "postdeploy: Event Grid subscriptions are in place for: $(echo "$AZURE_EVENT_GRID_DELIVERIES" | tr -d '[]{}"' )"
