import type { AmiClient, AmiMessage } from '../pbx/ami-client.js';

/**
 * A phone that registers gets what waited for it at once: AMI ContactStatus events name the
 * endpoint (`NonQualified` when a contact registers on an AOR without qualify, as the rendered
 * phones are: seen on Asterisk 22.10; `Created`/`Reachable` with qualify), whose
 * queued phone deliveries are then due now. The outbox's backoff (at most a minute) covers a
 * missed event. See docs/messaging.md.
 */
const REGISTERED = new Set(['Created', 'NonQualified', 'Reachable', 'Updated']);

export function watchRegistrations(ami: AmiClient, onRegistered: (endpoint: string) => void): () => void {
  return ami.onEvent((event: AmiMessage) => {
    if (event.Event !== 'ContactStatus') return;
    const status = event.ContactStatus;
    const endpoint = event.EndpointName;
    if (endpoint && status !== undefined && REGISTERED.has(status)) onRegistered(endpoint);
  });
}
