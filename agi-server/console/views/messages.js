import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

/** How often the log is read again while it is on screen. */
const REFRESH_MS = 2_000;

/** The number on the other side of a text: the sender of one that came in, the addressee of one that went out. */
function otherParty(message) {
  return message.direction === 'inbound' ? message.from : message.to;
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
 * Texts (docs/messaging.md), read-only: conversations by number and the thread of the one chosen.
 * Bodies are shown as text nodes (never HTML), so a hostile body stays text.
 */
export function MessagesView() {
  const [messages, setMessages] = useState(undefined);
  const [chosen, setChosen] = useState('');
  const [failure, setFailure] = useState('');

  useEffect(() => {
    let stopped = false;
    const load = async () => {
      try {
        const list = await api('GET', '/messages?limit=500');
        if (stopped) return;
        // Voicemails are messages of the log too (docs/voicemail.md): they have their own view.
        setMessages(list.filter((message) => message.direction !== 'voicemail'));
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
  }, []);

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
            <ol data-testid="thread">
              ${thread.texts.map(
                (message) => html`<li class=${message.direction}>
                  <span class="hint">${formatTime(message.at)} · ${message.direction} · ext ${message.extensions.join(', ') || '–'} · ${message.status}</span>
                  <p class="body">${message.body}</p>
                  ${message.media.map((url) => html`<a href=${url} rel="noopener noreferrer">${url}</a>`)}
                </li>`,
              )}
            </ol>
          </div>`
    }
  </section>`;
}
