/**
 * The report's whole style sheet, inlined: system fonts only (a web font would be a request),
 * one column on a phone, charts that scale with the page, and tables that print whole.
 */
export const REPORT_CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ccc; padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
.muted { color: #555; }
.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .75rem; }
.kpi { border: 1px solid #ccc; border-radius: .4rem; padding: .6rem .75rem; break-inside: avoid; }
.kpi h3 { margin: 0; font-size: .9rem; font-weight: 600; }
.kpi .value { font-size: clamp(1.25rem, 5vw, 1.6rem); font-weight: 700; margin: .2rem 0; font-variant-numeric: tabular-nums; }
.kpi .change, .kpi .muted { font-size: .85rem; margin: .2rem 0; }
.evidence { font-size: .8rem; padding-left: 1.1rem; margin: .3rem 0; color: #333; }
.query { display: inline; }
.checks { font-size: .85rem; padding-left: 1.1rem; }
.checks .evidence { list-style: none; padding-left: 0; }
.multiples { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: .75rem; }
figure.chart { margin: .5rem 0; break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { font-size: .8rem; color: #555; }
.table { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .5rem 0; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; padding: .3rem .4rem; }
.charger { break-inside: avoid-page; }
footer { margin-top: 2rem; font-size: .8rem; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  tr, .kpi, figure.chart { break-inside: avoid; }
  .table { overflow: visible; }
}
`;
