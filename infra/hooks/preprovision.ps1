# azd preprovision hook (Windows): same checks as preprovision.sh, with the
# rules src/lib/config.ts applies to MANAGED_SCOPES.
$failed = $false
# Plain messages on stderr, as preprovision.sh writes them (Write-Error would print error records).
function Fail([string] $message) { [Console]::Error.WriteLine("preprovision: $message"); $script:failed = $true }

$scopes = @("$env:MANAGED_SCOPES".Split(',') | ForEach-Object { $_.Trim().TrimEnd('/') } | Where-Object { $_ })
if ($scopes.Count -eq 0) {
  Fail 'MANAGED_SCOPES is required: azd env set MANAGED_SCOPES "/subscriptions/{id}[,/subscriptions/{id}/resourceGroups/{name}]"'
}
foreach ($scope in $scopes) {
  if ($scope -notmatch '^/subscriptions/[0-9a-f-]{36}(/resourceGroups/[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()])?$') {
    Fail "MANAGED_SCOPES entry '$scope' must look like /subscriptions/{guid} or /subscriptions/{guid}/resourceGroups/{name} (a resource group name cannot end with a period)"
  }
}

$seen = @{}
foreach ($topic in @("$env:EXISTING_SYSTEM_TOPIC_IDS".Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_ })) {
  if ($topic -notmatch '^/subscriptions/[0-9a-f-]{36}/resourceGroups/[-A-Za-z0-9_.()]{0,89}[-A-Za-z0-9_()]/providers/Microsoft\.EventGrid/systemTopics/[-A-Za-z0-9]{3,128}$') {
    Fail "EXISTING_SYSTEM_TOPIC_IDS entry '$topic' must be a system topic id: /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.EventGrid/systemTopics/{name}"
    continue
  }
  $sub = $topic.Split('/')[2].ToLowerInvariant()
  if ($seen.ContainsKey($sub)) {
    Fail "EXISTING_SYSTEM_TOPIC_IDS names two topics in subscription $sub; Azure allows one Microsoft.Resources.Subscriptions topic per subscription"
  }
  $seen[$sub] = $true
}

$option = if ($env:AFS_ACCESS_OPTION) { $env:AFS_ACCESS_OPTION } else { 'FileSyncAdministrator' }
if ($option -cnotin @('FileSyncAdministrator', 'RbacAdministratorWithCondition')) {
  Fail "AFS_ACCESS_OPTION must be FileSyncAdministrator or RbacAdministratorWithCondition, not '$option'"
}
if ($failed) { exit 1 }
