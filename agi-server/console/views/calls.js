import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { CallsPerHour, DISPOSITION_COLOURS } from '../components/chart.js';
import { usePolling } from '../components/polling.js';
import { duration, formatTime } from '../format.js';
import { html } from '../html.js';
import { BlockCallerButton } from './blocklist.js';
import { CallRecording } from './recording.js';

const DISPOSITIONS = ['', ...Object.keys(DISPOSITION_COLOURS)];
/** How often the list is read again while it is on screen: calls in progress change quickly. */
const REFRESH_MS = 2_000;

function Disposition({ value }) {
  return html`<span class="badge" style=${`background:${DISPOSITION_COLOURS[value] ?? '#555'}`}>${value}</span>`;
}

export function CallList() {
  const [filters, setFilters] = useState({ did: '', caller: '', disposition: '', since: '' });
  const [calls, setCalls] = useState(undefined);
  const [recent, setRecent] = useState([]);
  const [updated, setUpdated] = useState(undefined);
  const [failure, setFailure] = useState('');

  usePolling(
    async (stopped) => {
      const query = new URLSearchParams({ limit: '200' });
      if (filters.did) query.set('did', filters.did);
      if (filters.caller) query.set('caller', filters.caller);
      if (filters.disposition) query.set('disposition', filters.disposition);
      if (filters.since) query.set('since', new Date(filters.since).toISOString());
      const dayAgo = new URLSearchParams({
        limit: '1000',
        since: new Date(Date.now() - 86_400_000).toISOString(),
      });
      try {
        const [list, day] = await Promise.all([
          api('GET', `/calls?${query}`),
          api('GET', `/calls?${dayAgo}`),
        ]);
        if (stopped()) return;
        setCalls(list);
        setRecent(day);
        setUpdated(new Date());
        setFailure('');
      } catch (error) {
        if (!stopped()) setFailure(error.message);
      }
    },
    REFRESH_MS,
    [filters],
  );

  const field = (name, props = {}) => html`<label>
    ${name}
    <input
      name=${name}
      value=${filters[name]}
      ...${props}
      onChange=${(event) => setFilters({ ...filters, [name]: event.currentTarget.value })}
    />
  </label>`;

  const inProgress = (calls ?? []).filter((call) => call.disposition === 'in-progress').length;
  return html`<section>
    <h1>Calls</h1>
    <${CallsPerHour} calls=${recent} now=${Date.now()} />
    <form class="filters" onSubmit=${(event) => event.preventDefault()}>
      ${field('did', { placeholder: '+19863334949' })} ${field('caller', { placeholder: '+1555…' })}
      <label>
        disposition
        <select name="disposition" value=${filters.disposition} onChange=${(event) => setFilters({ ...filters, disposition: event.currentTarget.value })}>
          ${DISPOSITIONS.map((name) => html`<option value=${name}>${name || 'any'}</option>`)}
        </select>
      </label>
      ${field('since', { type: 'datetime-local' })}
    </form>
    <p class="hint" data-testid="live">
      ${inProgress} in progress · live, refreshed every ${REFRESH_MS / 1000} s${updated ? ` (last ${updated.toLocaleTimeString()})` : ''} · times in this browser's zone
    </p>
    ${failure ? html`<p class="error">${failure}</p>` : null}
    ${
      calls === undefined
        ? html`<p class="loading">Loading…</p>`
        : html`<table class="list" data-testid="calls">
          <thead>
            <tr><th>Started</th><th>DID</th><th>Caller</th><th>Route</th><th>Disposition</th><th>Answered by</th><th>Duration</th><th>Note</th></tr>
          </thead>
          <tbody>
            ${calls.map(
              (call) => html`<tr class=${call.disposition === 'in-progress' ? 'live' : ''}>
                <td><a href=${`#/calls/${encodeURIComponent(call.linkedId)}`}>${formatTime(call.startedAt)}</a></td>
                <td>${call.did ?? '–'}</td>
                <td>${call.caller ?? '–'} <${BlockCallerButton} caller=${call.caller} /></td>
                <td>${call.routeId ?? '–'}${call.plan ? ` (${call.plan})` : ''}</td>
                <td><${Disposition} value=${call.disposition} /></td>
                <td>${call.answeredBy ?? '–'}</td>
                <td>${call.endedAt ? duration(call.startedAt, call.endedAt) : 'ongoing'}</td>
                <td>${call.note ?? ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>`
    }
  </section>`;
}

/** The call's events in the order they happened (an answer can be logged after the step that rang). */
function timeline(call) {
  const entries = [{ at: call.startedAt, text: 'call started' }];
  for (const step of call.steps) {
    const targets = step.targets.length ? ` (${step.targets.join(', ')})` : '';
    const outcome = step.outcome ?? (call.disposition === 'in-progress' ? 'ringing…' : 'no outcome recorded');
    entries.push({ at: step.at, text: `step ${step.attempt + 1}: ${step.label}${targets} → ${outcome}` });
  }
  if (call.answeredAt)
    entries.push({ at: call.answeredAt, text: `answered${call.answeredBy ? ` by ${call.answeredBy}` : ''}` });
  if (call.endedAt)
    entries.push({
      at: call.endedAt,
      text: `ended: ${call.disposition}${call.note ? ` (${call.note})` : ''}`,
    });
  // Stable sort: events logged in the same millisecond keep their logical order.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function CallDetail({ id }) {
  const [call, setCall] = useState(undefined);
  const [failure, setFailure] = useState('');
  // A call in progress keeps changing: follow it until it ends.
  usePolling(
    (stopped) =>
      api('GET', `/calls/${encodeURIComponent(id)}`).then(
        (found) => !stopped() && setCall(found),
        (error) => !stopped() && setFailure(error.message),
      ),
    REFRESH_MS,
    [id],
  );
  if (failure) return html`<p class="error">${failure}</p>`;
  if (!call) return html`<p class="loading">Loading…</p>`;
  const zone = call.timeZone;
  const at = (iso) => formatTime(iso, zone);
  return html`<section data-testid="call-detail">
    <h1>Call ${call.linkedId}</h1>
    <dl class="facts">
      <dt>Twilio CallSid</dt><dd><code data-testid="call-sid">${call.callSid ?? '– (not through Twilio)'}</code></dd>
      <dt>DID → route</dt><dd>${call.did ?? '–'} → ${call.routeId ?? 'no route'} (version ${call.routeVersion ?? '–'}, ${call.plan ?? '–'} plan)</dd>
      <dt>Caller</dt><dd>${call.caller ?? '–'} <${BlockCallerButton} caller=${call.caller} /></dd>
      <dt>Disposition</dt><dd><${Disposition} value=${call.disposition} /> ${call.answeredBy ? `by ${call.answeredBy}` : ''}</dd>
      <dt>Duration</dt><dd>${duration(call.startedAt, call.endedAt)}</dd>
      <dt>Signature</dt><dd>${call.signature ?? '–'}</dd>
      ${call.note ? html`<dt>Note</dt><dd>${call.note}</dd>` : null}
      <dt>Times shown in</dt><dd>${zone ?? "this browser's zone (the route has no schedule)"}</dd>
    </dl>
    <${CallRecording} linkedId=${call.linkedId} />
    <h2>Timeline</h2>
    <ol class="timeline" data-testid="timeline">
      ${timeline(call).map((entry) => html`<li><time>${at(entry.at)}</time> ${entry.text}</li>`)}
      ${call.endedAt ? null : html`<li>in progress…</li>`}
    </ol>
    <p><a href="#/calls">← all calls</a></p>
  </section>`;
}
