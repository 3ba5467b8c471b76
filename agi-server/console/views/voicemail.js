import { useEffect, useState } from 'preact/hooks';
import { api, token } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

/** How often the mailboxes are read again while the page is on screen. */
const REFRESH_MS = 3_000;

/**
 * Visual voicemail (docs/voicemail.md): each mailbox with its messages, new first. Play fetches
 * the audio with the token and plays it from a blob: URL in an <audio> element; heard and delete
 * are done by Asterisk (the phone's light follows). Caller names are text nodes, never HTML.
 */
export function VoicemailView() {
  const [boxes, setBoxes] = useState(undefined);
  const [failure, setFailure] = useState('');
  const [playing, setPlaying] = useState(undefined);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const answer = await api('GET', '/voicemail');
        if (stopped) return;
        setBoxes(answer.mailboxes);
        setFailure('');
      } catch (error) {
        if (!stopped) setFailure(error.message);
      }
    };
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [generation]);

  useEffect(() => () => playing && URL.revokeObjectURL(playing.url), [playing]);

  const play = async (message) => {
    try {
      const response = await fetch(message.audio, { headers: { authorization: `Bearer ${token()}` } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const url = URL.createObjectURL(await response.blob());
      setPlaying({ id: message.id, url });
    } catch (error) {
      setFailure(`could not play: ${error.message}`);
    }
  };
  const act = async (method, path) => {
    try {
      await api(method, path);
      setGeneration((value) => value + 1);
    } catch (error) {
      setFailure(error.message);
    }
  };

  if (!boxes) return failure ? html`<p class="error">${failure}</p>` : html`<p class="loading">Loading…</p>`;
  return html`<section>
    <h1>Voicemail</h1>
    ${failure ? html`<p class="error" role="alert">${failure}</p>` : null}
    ${boxes.length === 0 ? html`<p>No mailbox has messages.</p>` : null}
    ${boxes.map(
      (box) => html`<div class="mailbox" data-testid=${`mailbox-${box.mailbox}`}>
        <h2>Mailbox ${box.mailbox}${box.owner ? ` (${box.owner.name})` : ''}: ${box.new} new, ${box.heard} heard</h2>
        <table class="list" data-testid="voicemail">
          <thead><tr><th></th><th>From</th><th>Left at</th><th>Length</th><th></th></tr></thead>
          <tbody>
            ${box.messages.map(
              (message) => html`<tr data-id=${message.id} class=${message.status}>
                <td>${message.status === 'new' ? 'new' : 'heard'}</td>
                <td>${message.callerName ? `${message.callerName} ` : ''}${message.callerNumber ?? 'unknown'}</td>
                <td>${formatTime(message.at)}</td>
                <td>${message.durationSeconds} s</td>
                <td>
                  <button type="button" onClick=${() => play(message)}>Play</button>
                  ${
                    message.status === 'new'
                      ? html` <button type="button" onClick=${() => act('POST', `/voicemail/${box.mailbox}/${message.id}/heard`)}>Mark heard</button>`
                      : null
                  }
                  <button type="button" onClick=${() => act('DELETE', `/voicemail/${box.mailbox}/${message.id}`)}>Delete</button>
                  ${
                    playing?.id === message.id
                      ? html`<div><audio data-testid="voicemail-audio" controls autoplay src=${playing.url}></audio></div>`
                      : null
                  }
                </td>
              </tr>`,
            )}
          </tbody>
        </table>
        <${GreetingUpload} mailbox=${box.mailbox} />
      </div>`,
    )}
  </section>`;
}

/** The greeting callers hear (unavailable or busy): a WAV, PCM mono 8000 Hz 16-bit. */
function GreetingUpload({ mailbox }) {
  const [kind, setKind] = useState('unavail');
  const [state, setState] = useState('');
  const upload = async (event) => {
    event.preventDefault();
    const file = event.target.elements.greeting.files[0];
    if (!file) return;
    const response = await fetch(`/voicemail/${mailbox}/greetings/${kind}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'audio/wav' },
      body: file,
    });
    const answer = await response.json().catch(() => ({}));
    setState(
      response.ok
        ? `Uploaded (${answer.seconds} s).`
        : (answer.issues?.[0]?.message ?? answer.error ?? `HTTP ${response.status}`),
    );
  };
  return html`<form class="greeting" onSubmit=${upload}>
    <label>Greeting
      <select value=${kind} onChange=${(event) => setKind(event.target.value)}>
        <option value="unavail">unavailable</option>
        <option value="busy">busy</option>
      </select>
    </label>
    <input type="file" name="greeting" accept="audio/wav" />
    <button type="submit">Upload</button>
    ${state ? html`<span class="hint">${state}</span>` : null}
  </form>`;
}
