import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { html } from '../html.js';

const ALLOW = ['internal', 'national', 'countries', 'international'];

export function OutboundView() {
  const [outbound, setOutbound] = useState(undefined);
  useEffect(() => {
    api('GET', '/outbound').then(setOutbound);
  }, []);
  if (!outbound) return html`<p class="loading">Loading…</p>`;
  return html`<section>
    <h1>Outbound</h1>
    <dl class="facts">
      <dt>Outside prefix</dt><dd>${outbound.outsidePrefix || '(none)'}</dd>
      <dt>Owned numbers</dt><dd>${outbound.ownedNumbers.join(', ') || '–'}</dd>
      <dt>Default caller ID</dt><dd>${outbound.defaultCallerId ?? '–'}</dd>
      <dt>Trunks, in order</dt><dd>${outbound.trunks.map((trunk) => `${trunk.id} (${trunk.endpoint})`).join(', ') || '–'}</dd>
      <dt>Emergency numbers</dt><dd>${outbound.emergencyNumbers.join(', ')} (always allowed)</dd>
    </dl>
    <h2>Policies</h2>
    <table class="list" data-testid="policies">
      <thead><tr><th>Policy</th><th>Allows</th><th>Countries</th><th>Calls/min</th><th>Concurrent</th><th>Trunks</th><th>Blocked prefixes</th></tr></thead>
      <tbody>
        ${outbound.policies.map(
          (policy) => html`<tr>
            <td><a href=${`#/outbound/${policy.id}`}>${policy.id}</a>${policy.id === outbound.defaultPolicy ? ' (default)' : ''}</td>
            <td>${policy.allow}</td>
            <td>${policy.countries.join(', ') || '–'}</td>
            <td>${policy.callsPerMinute}</td>
            <td>${policy.maxConcurrent}</td>
            <td>${policy.trunks?.join(', ') ?? 'all'}</td>
            <td>${policy.blockedPrefixes.length}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p><a class="button" href="#/outbound/new">New policy</a></p>
  </section>`;
}

export function PolicyEdit({ id }) {
  const kind = useMemo(() => {
    let outbound;
    return {
      title: (draft) => (id === 'new' ? 'New outbound policy' : `Outbound policy ${draft.id}`),
      load: async () => {
        outbound = await api('GET', '/outbound');
        return (
          outbound.policies.find((policy) => policy.id === id) ?? {
            id: 'new-policy',
            allow: 'national',
            countries: [],
            blockedPrefixes: [],
            callsPerMinute: 10,
            maxConcurrent: 2,
          }
        );
      },
      body: (draft) => {
        const index = outbound.policies.findIndex((policy) => policy.id === id);
        const policies = [...outbound.policies];
        if (index === -1) policies.push(draft);
        else policies[index] = draft;
        return { outbound: { ...outbound, policies } };
      },
      prefixes: (draft) => {
        const index = outbound.policies.findIndex((policy) => policy.id === id);
        return [
          `outbound.policies.${draft.id}`,
          `body.outbound.policies.${index === -1 ? outbound.policies.length : index}`,
        ];
      },
      hints: {
        choices: { allow: ALLOW },
        numbers: ['callsPerMinute', 'maxConcurrent'],
        optional: { trunks: [] },
      },
    };
  }, [id]);
  return html`<${EditPage} kind=${kind} />`;
}
