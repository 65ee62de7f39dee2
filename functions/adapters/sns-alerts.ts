import {
  PublishBatchCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { type AlertMessage, alertMessages, renderGroup } from '../core/alert-messages.ts';
import type { IncidentNotification } from '../core/incidents/incident.ts';
import type { AlertSink, PublishOutcome } from '../scan/ports.ts';
import { perProtocolMessage } from './sns-message.ts';

/** SNS's limit for one message and for one batch, attributes included. */
export const SNS_MAX_BYTES = 256 * 1024;
const BATCH_ENTRIES = 10;

/** Options of the SNS alert sink. */
export interface SnsAlertsOptions {
  topicArn: string;
  /** Where the archive is, named in every message. */
  archiveLocation: string;
  /** Notices described one by one per message. Default: 10. */
  listed?: number;
}

/**
 * Notices to an SNS topic: one message per charger and severity (per vehicle and severity for
 * vehicle incidents), each carrying a body per protocol (`MessageStructure: 'json'`) and the
 * attributes subscription filters use (`event`, `subject` and, when a notice names a vehicle,
 * `vehicleId` as lists, since one message may carry several incidents). Messages go out with
 * PublishBatch; only what SNS accepted is reported as published, so the rest is retried on the
 * next run.
 */
export class SnsAlerts implements AlertSink {
  constructor(
    private readonly client: SNSClient,
    private readonly options: SnsAlertsOptions,
  ) {}

  async publish(notices: readonly IncidentNotification[]): Promise<PublishOutcome> {
    const byId = new Map(notices.map((n) => [n.id, n]));
    const messages = this.#messages(notices);
    const outcome: PublishOutcome = { accepted: [], failed: [] };
    for (const batch of batches(messages.map((m) => entryOf(m, byId)))) {
      try {
        const response = await this.client.send(
          new PublishBatchCommand({
            TopicArn: this.options.topicArn,
            PublishBatchRequestEntries: batch.map((b) => b.entry),
          }),
        );
        const failed = new Map(
          (response.Failed ?? []).map((f) => [f.Id, `${f.Code ?? 'error'}: ${f.Message ?? ''}`]),
        );
        for (const { entry, message } of batch) {
          const error = failed.get(entry.Id);
          if (error === undefined) outcome.accepted.push(...message.ids);
          else outcome.failed.push(...message.ids.map((id) => ({ id, error })));
        }
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        for (const { message } of batch) {
          outcome.failed.push(...message.ids.map((id) => ({ id, error: reason })));
        }
      }
    }
    return outcome;
  }

  /** Messages per charger (or vehicle) and severity, each shrunk until it fits SNS's size limit. */
  #messages(notices: readonly IncidentNotification[]): AlertMessage[] {
    const limits = {
      listed: this.options.listed ?? 10,
      archiveLocation: this.options.archiveLocation,
    };
    return alertMessages(notices, limits).map((message) => {
      // A message over SNS's limit lists fewer notices (and counts the rest) until it fits.
      let fitted = message;
      for (
        let listed = limits.listed;
        entrySize(entryOf(fitted, new Map()).entry) > SNS_MAX_BYTES && listed > 1;
      ) {
        listed = Math.floor(listed / 2);
        const inMessage = new Set(message.ids);
        const group = notices.filter((n) => inMessage.has(n.id));
        fitted = renderGroup(group, { ...limits, listed });
      }
      return fitted;
    });
  }
}

interface BatchItem {
  entry: PublishBatchRequestEntry & { Id: string };
  message: AlertMessage;
}

function entryOf(message: AlertMessage, notices: Map<string, IncidentNotification>): BatchItem {
  const carried = message.ids.flatMap((id) => notices.get(id) ?? []);
  const listOf = (values: readonly string[]) => JSON.stringify([...new Set(values)].sort());
  return {
    message,
    entry: {
      Id: '', // numbered per batch
      ...perProtocolMessage(message),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: message.attributes.severity },
        chargerId: { DataType: 'String', StringValue: message.attributes.chargerId },
        ...(message.attributes.depot !== undefined
          ? { depot: { DataType: 'String', StringValue: message.attributes.depot } }
          : {}),
        rule: { DataType: 'String.Array', StringValue: JSON.stringify(message.attributes.rules) },
        event: { DataType: 'String.Array', StringValue: listOf(message.attributes.events) },
        // An attributed notice is for both audiences: the bus's team and the technicians whose
        // connector incidents it closes, so it carries both subjects.
        subject: {
          DataType: 'String.Array',
          StringValue: listOf(
            carried.flatMap((n) => [n.subject, ...(n.explains?.map(() => 'connector') ?? [])]),
          ),
        },
        ...(message.attributes.vehicleIds.length > 0
          ? {
              vehicleId: {
                DataType: 'String.Array',
                StringValue: listOf(message.attributes.vehicleIds),
              },
            }
          : {}),
      },
    },
  };
}

/** Bytes SNS counts for an entry: the message, the subject and the attributes. */
export function entrySize(entry: PublishBatchRequestEntry): number {
  const attributes = Object.entries(entry.MessageAttributes ?? {}).reduce(
    (sum, [name, value]) =>
      sum +
      Buffer.byteLength(name) +
      Buffer.byteLength(value.DataType ?? '') +
      Buffer.byteLength(value.StringValue ?? ''),
    0,
  );
  return (
    Buffer.byteLength(entry.Message ?? '') + Buffer.byteLength(entry.Subject ?? '') + attributes
  );
}

/** Splits entries into batches of at most 10 and at most 256 KiB. */
function batches(items: BatchItem[]): BatchItem[][] {
  const result: BatchItem[][] = [];
  let current: BatchItem[] = [];
  let size = 0;
  items.forEach((item, index) => {
    item.entry.Id = `m${index}-${item.message.ids[0] ?? ''}`.slice(0, 80);
    const bytes = entrySize(item.entry);
    if (current.length === BATCH_ENTRIES || (current.length > 0 && size + bytes > SNS_MAX_BYTES)) {
      result.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  });
  if (current.length > 0) result.push(current);
  return result;
}
