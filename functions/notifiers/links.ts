import { pathToFileURL } from 'node:url';
import { encodeKeySegment, reportsFolder, s3ConsoleUrl } from '../core/archive-layout.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';

/** A link a person can open from a chat message or a pager. */
export interface Link {
  href: string;
  text: string;
}

/** What a notice points to: the cited reports, and the command that shows the incident. */
export interface NoticeLinks {
  /** The reports' folder: an S3 console page for an `s3://` archive, a file URL for a folder. */
  reports: Link;
  /** Where the reports are, as the archive names them (`s3://…` or a path), to copy. */
  reportsLocation: string;
  /** `depot-watch incidents --incident <id>`: the incident as the state and history know it. */
  command: string;
}

/** Where the links are made from. */
export interface LinkOptions {
  archiveLocation: string;
  /** The config file to name in the command. Default: none. */
  configName?: string;
  /** The archive bucket's region, for the console. Default: none. */
  region?: string;
}

/**
 * The links of a notice. An `s3://` URI opens in no mail client or chat, so an S3 archive is
 * linked through the S3 console, at the connector's folder (its charger's for a charger
 * incident, the whole archive for a vehicle's, whose sessions lie under every charger it used).
 */
export function noticeLinks(notice: IncidentNotification, options: LinkOptions): NoticeLinks {
  const location = reportsLocation(notice, options.archiveLocation);
  const config = options.configName ? ` --config ${options.configName}` : '';
  return {
    reports: {
      href: openable(location, options.region),
      text: notice.subject === 'vehicle' ? 'All session reports' : 'Session reports',
    },
    reportsLocation: location,
    command: `depot-watch incidents${config} --incident ${notice.incident}`,
  };
}

/** The folder of the reports a notice cites. */
export function reportsLocation(notice: IncidentNotification, archiveLocation: string): string {
  const root = reportsFolder(archiveLocation, notice.depot);
  if (notice.subject === 'vehicle' || notice.subject === 'depot') return root;
  const charger = `${root}charger=${encodeKeySegment(notice.chargerId)}/`;
  return notice.subject === 'charger'
    ? charger
    : `${charger}connector=${encodeKeySegment(notice.connectorId)}/`;
}

/** An https link to an S3 folder in the console, or a file URL for a local folder. */
export function openable(location: string, region?: string): string {
  return s3ConsoleUrl(location, region) ?? pathToFileURL(location).href;
}
