# azd postdeploy hook (Windows): same steps as postdeploy.sh.
# Subscribes the deployed events function to ARM writes with a second
# deployment (infra/event-subscriptions.bicep) once the host has created the
# eventgrid_extension system key. Needs the Azure CLI signed in (az login).
$ErrorActionPreference = 'Stop'
# A plain message on stderr and exit code 1, as postdeploy.sh does (throw would print an error record).
function Stop-Hook([string] $message) { [Console]::Error.WriteLine($message); exit 1 }

$required = 'AZURE_ENV_NAME', 'AZURE_LOCATION', 'AZURE_SUBSCRIPTION_ID', 'AZURE_RESOURCE_GROUP',
  'AZURE_FUNCTION_APP_NAME', 'AZURE_FUNCTION_APP_HOSTNAME', 'AZURE_STORAGE_ACCOUNT_ID',
  'AZURE_DEAD_LETTER_CONTAINER', 'AZURE_EVENT_GRID_DELIVERIES'
foreach ($name in $required) {
  if (-not [Environment]::GetEnvironmentVariable($name)) {
    Stop-Hook "postdeploy: $name is not set; run 'azd provision' first"
  }
}
$eventsFunction = if ($env:EVENTS_FUNCTION_NAME) { $env:EVENTS_FUNCTION_NAME } else { 'armEvents' }
$pollSeconds = if ($env:POSTDEPLOY_POLL_SECONDS) { [int]$env:POSTDEPLOY_POLL_SECONDS } else { 10 }

az account show *> $null
if ($LASTEXITCODE -ne 0) { Stop-Hook "postdeploy: the Azure CLI is not signed in; run 'az login' and then 'azd hooks run postdeploy'" }
az account set --subscription $env:AZURE_SUBSCRIPTION_ID

try { Invoke-WebRequest -Uri "https://$($env:AZURE_FUNCTION_APP_HOSTNAME)/" -TimeoutSec 60 -UseBasicParsing | Out-Null } catch { }
$key = ''
for ($attempt = 1; $attempt -le 30; $attempt++) {
  $key = az functionapp keys list -g $env:AZURE_RESOURCE_GROUP -n $env:AZURE_FUNCTION_APP_NAME --query 'systemKeys.eventgrid_extension' -o tsv 2>$null
  if ($key) { break }
  Write-Host "postdeploy: waiting for the host to create the Event Grid key ($attempt/30)"
  Start-Sleep -Seconds $pollSeconds
}
if (-not $key) { Stop-Hook "postdeploy: no eventgrid_extension key after 30 tries; is function '$eventsFunction' deployed? Re-run: azd hooks run postdeploy" }
Remove-Variable key # the deployment reads the key itself with listKeys

$parameters = @{
  '$schema'      = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#'
  contentVersion = '1.0.0.0'
  parameters     = @{
    environmentName            = @{ value = $env:AZURE_ENV_NAME }
    functionAppResourceGroup   = @{ value = $env:AZURE_RESOURCE_GROUP }
    functionAppName            = @{ value = $env:AZURE_FUNCTION_APP_NAME }
    eventsFunctionName         = @{ value = $eventsFunction }
    deliveries                 = @{ value = @(ConvertFrom-Json $env:AZURE_EVENT_GRID_DELIVERIES) }
    deadLetterStorageAccountId = @{ value = $env:AZURE_STORAGE_ACCOUNT_ID }
    deadLetterContainerName    = @{ value = $env:AZURE_DEAD_LETTER_CONTAINER }
  }
}
$file = New-TemporaryFile
try {
  $parameters | ConvertTo-Json -Depth 10 | Set-Content -Path $file -Encoding utf8
  az deployment sub create --name "afsid-events-$($env:AZURE_ENV_NAME)" --location $env:AZURE_LOCATION `
    --template-file (Join-Path $PSScriptRoot '..' 'event-subscriptions.bicep') `
    --parameters "@$file" --only-show-errors --output none
  if ($LASTEXITCODE -ne 0) { Stop-Hook 'postdeploy: the Event Grid deployment failed' }
} finally {
  Remove-Item $file -ErrorAction SilentlyContinue
}
Write-Host 'postdeploy: Event Grid subscriptions are in place.'
