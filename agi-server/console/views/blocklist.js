import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { html } from '../html.js';

/**
 * The blocklist (routing document section `blocklist`): callers refused before any phone rings.
 * Edited as one item with the shared EditPage (review, then apply as a version); a call-log row
 * offers "block this caller" (BlockCallerButton), which adds one entry at once.
 */

const ACTION_TYPES = ['busy', 'announcement', 'voicemail'];
const ACTION_TEMPLATES = {
  busy: { type: 'busy' },
  announcement: { type: 'announcement', announcement: 'custom/blocked' },
  voicemail: { type: 'voicemail', mailbox: '100' },
};
/** The caller as a blocklist entry names it, or undefined when it cannot be one. */
export function blockableCaller(caller) {
  if (!caller || /^(anonymous|restricted|private|unavailable|unknown)$/i.test(caller)) return 'anonymous';
  return /^\+[1-9]\d{6,14}$/.test(caller) ? caller : undefined;
}

export function BlocklistEdit() {
  const [routeIds, setRouteIds] = useState(undefined);
  useEffect(() => {
    api('GET', '/routes').then((list) => setRouteIds(list.map((route) => route.id)));
  }, []);
  const kind = useMemo(
    () =>
      routeIds && {
        title: () => 'Blocklist',
        load: () => api('GET', '/blocklist'),
        body: (draft) => ({ blocklist: draft }),
        prefixes: () => ['blocklist', 'body.blocklist'],
        hints: {
          choices: { 'action.type': ACTION_TYPES, 'entries.*.action.type': ACTION_TYPES },
          swap: {
            'action.type': (type) => structuredClone(ACTION_TEMPLATES[type]),
            'entries.*.action.type': (type) => structuredClone(ACTION_TEMPLATES[type]),
          },
          templates: { 'entries.*': { caller: '+1', note: '' } },
          optional: {
            'entries.*.routes': routeIds.slice(0, 1),
            'entries.*.action': ACTION_TEMPLATES.busy,
          },
        },
      },
    [routeIds],
  );
  if (!kind) return html`<p class="loading">Loading…</p>`;
  return html`<div>
    <p class="hint">
      A caller is an E.164 number (<code>+15551230001</code>), a prefix ending in <code>*</code>
      (<code>+1900*</code>) or <code>anonymous</code> (withheld numbers). Without routes an entry
      applies to every route. Changes are live from the next call.
    </p>
    <${EditPage} kind=${kind} />
  </div>`;
}

/** "Block this caller" on a call-log row: one new blocklist entry (a version), after a confirm. */
export function BlockCallerButton({ caller }) {
  const [state, setState] = useState('');
  const entry = blockableCaller(caller);
  if (!entry) return null;
  const block = async () => {
    if (!window.confirm(`Block ${entry} on every route? Live from the next call.`)) return;
    try {
      const stored = await api('PUT', `/blocklist/entries/${encodeURIComponent(entry)}`, {
        note: 'blocked from the call log',
      });
      setState(`blocked (version ${stored.version})`);
    } catch (error) {
      setState(error.message);
    }
  };
  return state
    ? html`<span class="hint" data-testid="blocked">${state}</span>`
    : html`<button type="button" class="link" data-testid="block-caller" onClick=${block}>block this caller</button>`;
}
