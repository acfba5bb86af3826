/**
 * The pages' only stylesheet, served from its own route so the CSP can say
 * style-src 'self' with no inline styles. Every text/background pair here has
 * a contrast ratio of at least 4.5:1 (WCAG 2.1 AA); state colours only repeat
 * what the badge's words say.
 */
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --link: #0a4f99; --bg: #ffffff; --panel: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible { outline: 3px solid #1f6feb; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; }
.top { display: flex; justify-content: space-between; align-items: center; padding: .5rem 1.5rem; background: #0f2f57; color: #ffffff; }
.top p { margin: 0; }
.brand { font-weight: 600; }
.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem; margin: 0; padding: .5rem 1.5rem; background: var(--panel); border-bottom: 1px solid var(--line); }
.crumbs li + li::before { content: "›"; margin-right: .25rem; color: var(--muted); }
main { padding: 1rem 1.5rem 3rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.25rem; margin: 1rem 0 .25rem; }
h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
.place, .small, .tile-of, .count, .when { color: var(--muted); }
.small { font-size: .85rem; }
.mono { font-family: ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", monospace; font-size: .9em; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; background: #fff; }
.card h2 { margin-top: 0; }
.card ul { margin: .25rem 0; padding-left: 1.25rem; }
.tiles { display: flex; gap: .75rem; margin: .75rem 0; flex-wrap: wrap; }
.tile { flex: 1 1 10rem; border: 1px solid var(--line); border-left: 4px solid #0a4f99; border-radius: 4px; padding: .5rem .75rem; background: var(--panel); }
.tile p { margin: 0; }
.tile-label { font-size: .9rem; color: var(--muted); }
.tile-value { font-size: 1.75rem; font-weight: 600; }
.tile-of { font-size: .9rem; font-weight: 400; }
.converged { font-weight: 600; margin: .25rem 0; }
.converged.yes { color: #175c2a; }
.converged.no { color: #8a3b00; }
.converged.deleted { color: #555; }
.alert, .notice { border: 1px solid; border-radius: 4px; padding: .5rem .75rem; }
.alert { border-color: #b3261e; background: #fdecea; color: #7a1a14; }
.notice { border-color: #175c2a; background: #e8f5ec; color: #14491f; }
.error-text { color: #8f1d16; }
.remedy { background: #fff8e1; border: 1px solid #c99700; border-radius: 4px; padding: .5rem .75rem; }
.card-list.l-failed h3, .card-list.l-overdue h3 { color: #8f1d16; }
h2.empty-table { font-size: 1.1rem; color: var(--muted); font-weight: 600; }
.more { margin: 0; font-size: .9rem; }
.actions { display: flex; gap: .5rem; margin: .75rem 0; }
.actions form { margin: 0; }
button { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid #0a4f99; background: #0a4f99; color: #ffffff; cursor: pointer; }
form.action:first-child button { background: #ffffff; color: #0a4f99; }
table { border-collapse: collapse; width: 100%; margin: 1.25rem 0; font-size: .95rem; }
caption { text-align: left; font-weight: 600; font-size: 1.1rem; padding: .25rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--panel); border-bottom: 2px solid #8c8c8c; }
tbody th { font-weight: 600; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: .75rem 0; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .85rem; border: 1px solid; white-space: nowrap; }
.badge { background: #eef0f2; color: #333333; border-color: #8c8c8c; }
.state-Active, .run-succeeded, .run-alreadyPresent { background: #e3f4e8; color: #14491f; border-color: #2e7d44; }
.state-Switched, .state-Eligible, .run-queued, .run-running, .run-dryRun, .run-retrying, .run-leaseLost, .run-awaitingWrites { background: #e5effa; color: #0c3d73; border-color: #3a74b5; }
.state-ActivationOverdue, .state-AgentTooOld, .state-AgentExpired, .run-completedWithFailures, .run-skipped { background: #fff4d6; color: #5c3d00; border-color: #a57800; }
.state-Failed, .run-failed, .run-poisoned, .run-rejected, .run-abandoned { background: #fdecea; color: #7a1a14; border-color: #b3261e; }
.estate table { border-collapse: collapse; margin: .5rem 0 1rem; }
.estate th, .estate td { border: 1px solid var(--line); padding: .2rem .5rem; text-align: right; }
.estate th[scope="row"] { text-align: left; }
.estate caption { text-align: left; font-weight: 600; padding: .25rem 0; }
.history { margin: 0; overflow-x: auto; }
.state-chart { max-width: 100%; height: auto; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .25rem 0 .5rem; }
.quota-high td, .quota-high th { font-weight: 600; }
`;
