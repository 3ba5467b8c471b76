import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { usePolling } from '../components/polling.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

/** How often the log is read again while it is on screen. */
const REFRESH_MS = 2_000;

/** A notice Switchboard sent a phone about its own text (not sent, not delivered): docs/messaging.md. */
function isNotice(message) {
  return message.direction === 'local' && (message.reason ?? '').startsWith('notice about ');
}

/**
 * The number on the other side of a text: the sender of one that came in, the addressee of one
 * that went out (or the extension texted), the number a notice is about.
 */
function otherParty(message) {
  if (message.direction === 'inbound' || isNotice(message)) return message.from;
  return message.to;
}

/** Our extension in a text: the one it came in for, the one that sent it, the one a notice went to. */
function ownExtension(message) {
  if (message.direction === 'inbound') return message.extensions[0] ?? '';
  return isNotice(message) ? message.to : message.from;
}

/** Conversations by number, the most recent first; each keeps its texts oldest first. */
function conversations(messages) {
  const byNumber = new Map();
  for (const message of messages) {
    const number = otherParty(message);
    const list = byNumber.get(number) ?? [];
    list.push(message);
    byNumber.set(number, list);
  }
  return [...byNumber.entries()]
    .map(([number, list]) => ({ number, texts: list.slice().reverse(), last: list[0] }))
    .sort((a, b) => (a.last.at < b.last.at ? 1 : -1));
}

/**
 * Send a reply in the conversation shown: as an extension (the conversation's by default), through
 * POST /messages, so the same policy and per-minute limit apply as to a phone; a refusal shows why.
 */
function ReplyForm({ number, extension, onSent }) {
  const [from, setFrom] = useState(extension);
  const [body, setBody] = useState('');
  const [answer, setAnswer] = useState('');
  const [sending, setSending] = useState(false);
  const send = async (event) => {
    event.preventDefault();
    setSending(true);
    try {
      const result = await api('POST', '/messages', { extension: from, to: number, body });
      setAnswer(
        result.outcome === 'sms'
          ? `queued for Twilio from ${result.sender}`
          : `queued for ${result.to}'s phones`,
      );
      setBody('');
      onSent();
    } catch (error) {
      setAnswer(error.message);
    } finally {
      setSending(false);
    }
  };
  return html`<form class="reply" data-testid="reply" onSubmit=${send}>
    <label>as extension <input name="extension" value=${from} size="6" onInput=${(event) => setFrom(event.currentTarget.value)} /></label>
    <label>reply to ${number} <textarea name="body" value=${body} maxlength="1600" onInput=${(event) => setBody(event.currentTarget.value)}></textarea></label>
    <button type="submit" disabled=${sending || body === '' || from === ''}>Send</button>
    ${answer ? html`<p class="hint" role="status">${answer}</p>` : ''}
  </form>`;
}

/**
 * Texts (docs/messaging.md): conversations by number, the thread of the one chosen, and a reply
 * form. Bodies are shown as text nodes (never HTML), so a hostile body stays text.
 */
export function MessagesView() {
  const [messages, setMessages] = useState(undefined);
  const [chosen, setChosen] = useState('');
  const [failure, setFailure] = useState('');
  const [reloads, setReloads] = useState(0);

  usePolling(
    async (stopped) => {
      try {
        const list = await api('GET', '/messages?limit=500');
        if (stopped()) return;
        // Voicemails are messages of the log too (docs/voicemail.md): they have their own view.
        setMessages(list.filter((message) => message.direction !== 'voicemail'));
        setFailure('');
      } catch (error) {
        if (!stopped()) setFailure(error.message);
      }
    },
    REFRESH_MS,
    [reloads],
  );

  const threads = conversations(messages ?? []);
  const thread = threads.find((candidate) => candidate.number === chosen) ?? threads[0];
  return html`<section>
    <h1>Messages</h1>
    ${failure ? html`<p role="alert">${failure}</p>` : ''}
    ${
      messages === undefined
        ? html`<p>Loading…</p>`
        : threads.length === 0
          ? html`<p>No texts yet.</p>`
          : html`<div class="conversations">
            <ul data-testid="conversations">
              ${threads.map(
                (candidate) => html`<li>
                  <button
                    class=${candidate === thread ? 'active' : ''}
                    onClick=${() => setChosen(candidate.number)}
                  >
                    ${candidate.number} (${candidate.texts.length})
                  </button>
                </li>`,
              )}
            </ul>
            <div>
              <ol data-testid="thread">
                ${thread.texts.map(
                  (message) => html`<li class=${message.direction}>
                    <span class="hint">${formatTime(message.at)} · ${message.direction} · ext ${message.extensions.join(', ') || '–'} · ${message.status}${message.reason ? ` · ${message.reason}` : ''}</span>
                    <p class="body">${message.body}</p>
                    ${message.media.map((url) => html`<a href=${url} rel="noopener noreferrer">${url}</a>`)}
                  </li>`,
                )}
              </ol>
              <${ReplyForm}
                key=${thread.number}
                number=${thread.number}
                extension=${ownExtension(thread.last)}
                onSent=${() => setReloads(reloads + 1)}
              />
            </div>
          </div>`
    }
  </section>`;
}
