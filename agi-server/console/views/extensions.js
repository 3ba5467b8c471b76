import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { html } from '../html.js';

export function ExtensionList() {
  const [extensions, setExtensions] = useState(undefined);
  useEffect(() => {
    api('GET', '/extensions').then(setExtensions);
  }, []);
  if (!extensions) return html`<p class="loading">Loading…</p>`;
  return html`<section>
    <h1>Extensions</h1>
    <table class="list" data-testid="extensions">
      <thead><tr><th>Number</th><th>Name</th><th>Endpoints</th><th>Mailbox</th><th>Outbound caller ID</th><th>Outbound policy</th><th>Follow-me</th><th>Email</th></tr></thead>
      <tbody>
        ${extensions.map(
          (extension) => html`<tr>
            <td><a href=${`#/extensions/${extension.number}`}>${extension.number}</a></td>
            <td>${extension.name}</td>
            <td>${(extension.endpoints ?? [extension.number]).join(', ')}</td>
            <td>${extension.mailbox ?? '–'}</td>
            <td>${extension.outboundCallerId ?? '–'}</td>
            <td>${extension.outboundPolicy ?? '(default)'}</td>
            <td>${extension.followMe?.enabled ? extension.followMe.numbers.join(', ') : '–'}</td>
            <td>${extension.email ?? '–'}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p><a class="button" href="#/extensions/new">New extension</a></p>
  </section>`;
}

export function ExtensionEdit({ number }) {
  const [policies, setPolicies] = useState(undefined);
  useEffect(() => {
    api('GET', '/outbound/policies').then((list) => setPolicies(list.map((policy) => policy.id)));
  }, []);
  const kind = useMemo(
    () =>
      policies && {
        title: (draft) => (number === 'new' ? 'New extension' : `Extension ${draft.number}`),
        load: () =>
          number === 'new'
            ? Promise.resolve({ number: '', name: '' })
            : api('GET', `/extensions/${encodeURIComponent(number)}`),
        body: (draft) => ({ extensions: [draft] }),
        prefixes: (draft) => [`extensions.${draft.number}`, 'body.extensions.0'],
        hints: {
          choices: { outboundPolicy: policies },
          optional: {
            endpoints: [number === 'new' ? '' : number],
            mailbox: number === 'new' ? '' : number,
            outboundCallerId: '+1',
            outboundPolicy: policies[0] ?? 'default',
            // Follow-me (docs/follow-me.md): desk phone first, then these numbers, screened.
            followMe: { enabled: true, deskSeconds: 15, numbers: ['+1'], ringSeconds: 20, screening: true },
            'followMe.voicemail': number === 'new' ? '' : number,
            'followMe.screenPrompt': 'followme/options',
            // Voicemail notices (docs/voicemail.md): the email gets each message with its audio.
            email: '',
            mobile: '+1',
          },
          numbers: ['followMe.deskSeconds', 'followMe.ringSeconds'],
        },
      },
    [number, policies],
  );
  if (!kind) return html`<p class="loading">Loading…</p>`;
  return html`<${EditPage} kind=${kind} />`;
}
