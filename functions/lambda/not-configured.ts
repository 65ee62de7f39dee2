import type { Config } from '../config/config.ts';
import { CredentialsNotSet } from '../config/credentials.ts';
import { type DepotScope, depotsOf } from '../config/depot-scopes.ts';
import type { StateStore } from '../scan/ports.ts';

/** What the not-configured check reads: each depot's credentials and state. */
export interface SetupSources {
  credentials(depot: DepotScope): Promise<unknown>;
  state(depot: DepotScope): StateStore;
}

/**
 * Why a run has nothing to do yet, or undefined when it should scan: every depot's credentials
 * secret still holds the placeholder the stack created it with, and no depot was ever scanned.
 * A fresh deploy is then healthy rather than failing every run until someone fills the secret.
 * A secret that goes back to its placeholder after scans have run (a deploy that reset it) is
 * no fresh deploy: the scan runs, fails on it and the alarms fire. So does a depot left
 * unfilled while others are filled: that is a setup half done, and someone should hear of it.
 */
export async function notConfiguredYet(
  config: Config,
  sources: SetupSources,
): Promise<string | undefined> {
  const depots = depotsOf(config);
  const unset: string[] = [];
  for (const depot of depots) {
    try {
      await sources.credentials(depot);
      return undefined;
    } catch (error) {
      // Any other failure is the scan's to report, with its alarms.
      if (!(error instanceof CredentialsNotSet)) return undefined;
      unset.push(error.secretId);
    }
  }
  for (const depot of depots) if (await scannedBefore(depot, sources)) return undefined;
  return `not configured yet: the credentials ${unset.length === 1 ? 'secret' : 'secrets'} ${unset.join(', ')} still ${unset.length === 1 ? 'holds its' : 'hold their'} placeholder; put the DepotFinity client's {"clientId": "...", "clientSecret": "..."} in ${unset.length === 1 ? 'it' : 'each'} and the next run scans`;
}

/** Whether a depot's state holds a cursor: a scan has read it before. */
async function scannedBefore(depot: DepotScope, sources: SetupSources): Promise<boolean> {
  const [charger] = depot.config.fleet;
  const [connectorId] = charger?.connectors ?? [];
  if (!charger || connectorId === undefined) return false;
  const state = sources.state(depot);
  const stored = await state.loadDocument();
  if (stored) return Object.keys(stored.document.cursors).length > 0;
  return (
    (await state.legacy.loadCursor({ chargerId: charger.chargerId, connectorId })) !== undefined
  );
}
