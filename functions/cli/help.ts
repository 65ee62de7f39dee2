import { readFile } from 'node:fs/promises';

/**
 * Each command: its line in the overview, and what `<command> --help` prints (usage, what it
 * does, an example).
 */
const COMMANDS = {
  demo: {
    summary: 'simulator → scan → archive → alerts, all local (what npm start runs)',
    help: `Usage: depot-watch demo [--dir D] [--seed N] [--chargers N] [--depots N] [--webhook] [--verbose | --quiet]

Starts a simulated DepotFinity API, scans it, archives to D (default .depot-watch), prints the
notices and a summary, and lists what is still open. Run it twice: the second run resolves what
was fixed meanwhile and opens nothing twice. No account, no network. Progress goes to stderr;
--verbose adds log lines (each retry and why), --quiet prints the notices and errors only.
--depots N simulates N depots (north, south, east, west, …), each with its own API and
credentials, scanned as one config of several depots; use a fresh --dir for it. --webhook also
delivers every notice to a signed webhook, to a receiver the demo starts on this machine, and
prints what it got (docs/notifiers.md).

Example: depot-watch demo --chargers 12
         depot-watch demo --depots 2 --dir .depot-watch-depots
`,
  },
  scan: {
    summary: 'one scan with the archive, state and alerts the config names',
    help: `Usage: depot-watch scan --config <file> [--deadline 10m] [--verbose | --quiet] [--dry-run]

One scan of the fleet in the config, with the archive, state and alerts it names (folders, s3://
URIs, .jsonl files, stdout, SNS topic ARNs, PagerDuty, Opsgenie, Teams, Slack, webhooks). --deadline stops starting connectors and pages in
time and names the ones left. Exit 0 when every connector was read, 1 when any was not, 2 for a
usage or config error. Credentials come from DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET.
Progress goes to stderr (a line redrawn on a terminal, a line every 10 s elsewhere); stdout
carries only the alerts and the summary. --verbose logs each retry and why; --quiet prints the
alerts and errors only, no progress and no summary (exit codes unchanged). --dry-run fetches
and judges as a scan does, with the state's cursors and incidents, but writes and sends nothing:
it prints what it would archive or quarantine and the notices it would send.

Example: depot-watch scan --config depot.json --deadline 10m
`,
  },
  replay: {
    summary: 'run the rules over saved reports; publishes nothing',
    help: `Usage: depot-watch replay <file-or-folder...> [--config <file>] [--json] [--quiet] [--include-quarantine]

Runs the rules over saved reports (a report, an array, an API page, an archive folder, a whole
.depot-watch folder, or s3://bucket/prefix) with the config's thresholds, and prints the
findings. Publishes nothing. State files are skipped; the config needs no fleet. The archive's
quarantine (reports the scan found invalid) is skipped below a folder given, unless
--include-quarantine; a quarantine folder named is read. Exit 1 when no valid report was read,
saying why. --quiet prints the findings and errors only, no tally. Progress (files and reports
read) goes to stderr, as for scan.

Example: depot-watch replay --config depot.json .depot-watch/archive
`,
  },
  backtest: {
    summary: 'replay saved reports as scheduled scans; print every notice they would send',
    help: `Usage: depot-watch backtest <file-or-folder...> [--config <file>] [--every 15m] [--json] [--quiet]

Replays saved reports as scheduled scans, one every --every (whole minutes with their unit: 15m,
1h), with the config's thresholds, incident settings, silences and windows, and prints every
notice that would have gone out, then notices against findings per rule and week. --json prints
one notice per line; --quiet prints the notices only. Progress (files read, then the incident
engine) goes to stderr.

Example: depot-watch backtest --config depot.json --every 15m .depot-watch/archive
`,
  },
  incidents: {
    summary: 'incidents open and resolved, from the state and the incident history',
    help: `Usage: depot-watch incidents [--config <file> | --dir D] [--open] [--incident ID] [--json]

Lists incidents, open, pending and resolved, from the state and the archive's incident history.
Without --config it reads the demo's folder (D, default .depot-watch). --incident lists the one
incident an alert names. Exit 1 when there is neither a state nor an archive there, or it cannot
be read.

Example: depot-watch incidents --config depot.json --open
`,
  },
  silence: {
    summary: 'hold notices without a deploy: add, list, expire',
    help: `Usage: depot-watch silence add --charger C [--connector N] [--rule R]... (--for 4h | --until <ISO>) --reason "..." [--force]
       depot-watch silence list [--all] [--json]
       depot-watch silence expire <id>
Each needs --config <file> (the silences are kept beside its state) or --state
<folder-or-s3-uri>; the demo's is --state .depot-watch/state.

Holds notices about a charger, a connector or some rules without a deploy. Findings are still
archived and join their incidents; when the silence ends, what is still open is told. --for
takes its unit (30m, 4h, 2d). A charger, connector or rule the config does not know is refused,
since it would silence nothing; --force stores it all the same (with --state there is no fleet
to check, so add needs --force).

Example: depot-watch silence add --config depot.json --charger HPC-003 --for 4h --reason "contactor swap"
`,
  },
  simulate: {
    summary: 'serve the simulated DepotFinity API',
    help: `Usage: depot-watch simulate [--port N] [--seed N] [--chargers N]

Serves the simulated DepotFinity API (client id demo-client, secret demo-secret) until stopped.

Example: depot-watch simulate --port 4010 --chargers 8
`,
  },
  kpis: {
    summary: 'daily charging KPIs per connector: success, fault-free, energy, efficiency',
    help: `Usage: depot-watch kpis [--config <file>] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json]
                     [--archive <folder-or-file>...]

Prints each connector's day (UTC, by session start): sessions, charging success rate (reached
the target SoC with no critical finding), fault-free rate (no finding at all), energy delivered,
mean converter efficiency and minutes in Faulted, then the fleet's total. Reads the rows the
scan keeps in the config's state (without --config, the demo's); the period defaults to the
last 7 UTC days including today. --archive rolls saved or archived reports up afresh instead,
with the config's thresholds, over every day they cover unless --from/--to say otherwise.
--json prints one row per line. Exit 0 when read, 1 when nothing could be read, 2 for a usage
error.

Example: depot-watch kpis --config depot.json --from 2026-11-01 --to 2026-11-30
`,
  },
  report: {
    summary: 'the weekly health report: one HTML page with KPIs, trends and incidents',
    help: `Usage: depot-watch report [--config <file>] [--archive <folder-or-s3-uri>]
                          [--from YYYY-MM-DD --to YYYY-MM-DD] [--out report.html] [--quiet]

Writes the depot's health report as one self-contained HTML file (charts included, nothing
fetched when opened): sessions, energy, charging success and fault-free rates against the period
before, the notices sent and the incidents open now. Reads the config's state and archive
(without --config, the demo's); --archive reads the incident history from another archive. The
period defaults to the last 7 complete UTC days; --out defaults to
depot-health-<from>-<to>.html here. Prints the file's path and the headline numbers (--quiet:
nothing but errors). Exit 0
when written, 1 when nothing could be read, 2 for a usage error.

Example: depot-watch report --config depot.json --from 2026-11-23 --to 2026-11-29
`,
  },
  config: {
    summary: 'check a config: what it resolves to, thresholds per connector, a token probe',
    help: `Usage: depot-watch config check --config <file> [--probe] [--credentials-secret <arn>] [--json]

Validates the config as every command does and prints what it resolves to: the fleet's size,
where the archive, state and alerts go (absolute), the incident settings in short, the site-wide
thresholds, and only what overrides change per charger or connector. --json prints the full
effective thresholds and incident settings per connector. --probe asks the token endpoint for a
token with the configured credentials, once, and says how long it is valid or why not; neither
the token nor the secret is printed. --credentials-secret probes with a deployed stack's secret
instead (its CredentialsSecret output, an ARN or a name), read with your AWS credentials; a
secret still holding the stack's placeholder fails the probe and says so. Exit 0 valid, 1 the
probe failed, 2 the config is invalid.

Example: depot-watch config check --config depot.json --probe
         depot-watch config check --config depot.json --probe --credentials-secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:ScanCredentials-Ab12Cd
`,
  },
} as const satisfies Record<string, { summary: string; help: string }>;

/** The commands there are, in the order the overview lists them. */
export const COMMAND_NAMES = Object.keys(COMMANDS);

/** What `depot-watch <command> --help` prints, or undefined for a name that is no command. */
export function commandHelp(name: string): string | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as keyof typeof COMMANDS].help : undefined;
}

/** The overview `depot-watch help` prints: one line per command, details with `--help`. */
export const USAGE = `Usage: depot-watch <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, { summary }]) => `  ${name.padEnd(11)}${summary}`)
  .join('\n')}

\`depot-watch <command> --help\` gives a command's options and an example; --version prints
the version. Credentials come from DEPOT_WATCH_CLIENT_ID and DEPOT_WATCH_CLIENT_SECRET.
`;

/** The version in package.json. */
export async function version(): Promise<string> {
  const pkg = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version: string };
  return pkg.version;
}
