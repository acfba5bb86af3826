# azd predown hook (Windows): same steps as predown.sh. Removes what lives
# outside the app's resource group: role assignments at the managed scopes,
# custom role definitions, Event Grid subscriptions and the topic resource
# groups this deployment created. Needs the Azure CLI signed in (az login).
$ErrorActionPreference = 'Continue'
az account show *> $null
# A plain message on stderr and exit code 1, as predown.sh does (throw would print an error record).
if ($LASTEXITCODE -ne 0) { [Console]::Error.WriteLine("predown: the Azure CLI is not signed in; run 'az login' first"); exit 1 }

function Split-List([string] $text) { if ($text) { $text.Split(',') | Where-Object { $_ } } else { @() } }
$failed = $false
$principal = $env:AZURE_FUNCTION_APP_IDENTITY_PRINCIPAL_ID
$prefix = ("afsid-$($env:AZURE_ENV_NAME)").Substring(0, [Math]::Min(44, ("afsid-$($env:AZURE_ENV_NAME)").Length)) + '-'

if ($principal) {
  foreach ($scope in Split-List $env:AZURE_MANAGED_SCOPES) {
    Write-Host "predown: removing role assignments of $principal at $scope"
    az role assignment delete --assignee $principal --scope $scope --only-show-errors
    if ($LASTEXITCODE -ne 0) { $failed = $true }
  }
}

$deliveries = if ($env:AZURE_EVENT_GRID_DELIVERIES) { @(ConvertFrom-Json $env:AZURE_EVENT_GRID_DELIVERIES) } else { @() }
foreach ($topic in ($deliveries | ForEach-Object { $_.topicId } | Sort-Object -Unique)) {
  $parts = $topic.Split('/')
  $names = az eventgrid system-topic event-subscription list --subscription $parts[2] -g $parts[4] --system-topic-name $parts[8] `
    --query "[?starts_with(name, '$prefix')].name" -o tsv 2>$null
  foreach ($es in @($names | Where-Object { $_ })) {
    Write-Host "predown: deleting event subscription $es on $topic"
    az eventgrid system-topic event-subscription delete --subscription $parts[2] -g $parts[4] --system-topic-name $parts[8] -n $es --yes --only-show-errors
    if ($LASTEXITCODE -ne 0) { $failed = $true }
  }
}

foreach ($groupId in Split-List $env:AZURE_EVENT_GRID_CREATED_RESOURCE_GROUPS) {
  $parts = $groupId.Split('/')
  Write-Host "predown: deleting resource group $($parts[4]) in subscription $($parts[2]) (system topic)"
  az group delete --subscription $parts[2] -n $parts[4] --yes --only-show-errors
  if ($LASTEXITCODE -ne 0) { $failed = $true }
}

foreach ($role in Split-List $env:AZURE_CUSTOM_ROLE_IDS) {
  Write-Host "predown: deleting custom role $role"
  az role definition delete --name $role --scope "/subscriptions/$($env:AZURE_CUSTOM_ROLE_SUBSCRIPTION_ID)" --only-show-errors
  if ($LASTEXITCODE -ne 0) { $failed = $true }
}
if ($failed) { exit 1 }
