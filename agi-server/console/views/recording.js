import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, token } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { html } from '../html.js';

/**
 * Call recording (routing document section `recording`, docs/recording.md): rules per route,
 * extension and direction, the announcement, retention; edited with the shared EditPage. A
 * call's page plays its recording (CallRecording).
 */

/** A rule's `record`: from the answer, never, or when the phone's user presses the feature code. */
const RECORD_VALUES = { true: true, false: false, 'on-demand': 'on-demand' };

export function RecordingEdit() {
  const [lists, setLists] = useState(undefined);
  useEffect(() => {
    Promise.all([api('GET', '/routes'), api('GET', '/extensions')]).then(([routes, extensions]) =>
      setLists({ routes: routes.map((route) => route.id), extensions: extensions.map((one) => one.number) }),
    );
  }, []);
  const kind = useMemo(
    () =>
      lists && {
        title: () => 'Call recording',
        load: () => api('GET', '/recording'),
        // `record` is a select (true, false, on-demand): its text goes back to the document's values.
        body: (draft) => ({
          recording: {
            ...draft,
            rules: draft.rules?.map((rule) => ({
              ...rule,
              record: RECORD_VALUES[String(rule.record)] ?? rule.record,
            })),
          },
        }),
        prefixes: () => ['recording', 'body.recording'],
        hints: {
          choices: {
            'rules.*.direction': ['both', 'inbound', 'outbound'],
            'rules.*.route': lists.routes,
            'rules.*.extension': lists.extensions,
            'rules.*.record': Object.keys(RECORD_VALUES),
          },
          numbers: ['retentionDays'],
          templates: { 'rules.*': { id: 'new-rule', direction: 'both', record: true } },
          optional: {
            announcement: 'custom/recorded',
            'rules.*.route': lists.routes[0] ?? '',
            'rules.*.extension': lists.extensions[0] ?? '',
          },
        },
      },
    [lists],
  );
  if (!kind) return html`<p class="loading">Loading…</p>`;
  return html`<div>
    <p class="hint">
      The first rule that matches a call decides (none: not recorded). Recording starts when the
      call is answered and covers only the bridged call; files are named by the call id. A rule
      with record <em>on-demand</em> lets the phone's user start and stop it with the feature code
      (*1 by default); <em>false</em> keeps a call unrecorded, on demand too.
    </p>
    <${EditPage} kind=${kind} />
  </div>`;
}

/** The call's recording, if any: a player (the audio is fetched with the token) and a download link. */
export function CallRecording({ linkedId }) {
  const [state, setState] = useState({ kind: 'loading' });
  useEffect(() => {
    let url;
    let stopped = false;
    const path = `/calls/${encodeURIComponent(linkedId)}/recording`;
    api('GET', path)
      .then(async (info) => {
        if (!info.available) throw new Error('no recording');
        const response = await fetch(info.audio, { headers: { authorization: `Bearer ${token()}` } });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        url = URL.createObjectURL(await response.blob());
        if (!stopped) setState({ kind: 'ready', url, info });
      })
      .catch(() => !stopped && setState({ kind: 'none' }));
    return () => {
      stopped = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [linkedId]);
  if (state.kind !== 'ready') return null;
  return html`<div data-testid="recording">
    <h2>Recording</h2>
    <audio controls src=${state.url}></audio>
    <p><a href=${state.url} download=${`${linkedId}.wav`}>Download</a> (${state.info.seconds} s)</p>
  </div>`;
}
