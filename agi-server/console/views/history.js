import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { DiffTable } from '../components/diff.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

export function History() {
  const [versions, setVersions] = useState(undefined);
  const [pair, setPair] = useState(undefined);
  const [diff, setDiff] = useState(undefined);
  const [message, setMessage] = useState('');
  const [reload, setReload] = useState(0);

  useEffect(() => {
    api('GET', '/history?limit=200').then((list) => {
      setVersions(list);
      const latest = list[0]?.version ?? 1;
      setPair({ from: Math.max(1, latest - 1), to: latest });
    });
  }, [reload]);

  useEffect(() => {
    if (!pair) return;
    setDiff(undefined);
    api('GET', `/diff?from=${pair.from}&to=${pair.to}`).then(setDiff, (error) => setMessage(error.message));
  }, [pair?.from, pair?.to]);

  if (!versions || !pair) return html`<p class="loading">Loading…</p>`;
  const rollback = async (version) => {
    if (
      !window.confirm(
        `Store version ${version}'s routing again as a new version? It is live from the next call.`,
      )
    )
      return;
    const stored = await api('POST', '/rollback', { to: version });
    setMessage(`Version ${stored.version}: ${stored.summary}`);
    setReload(reload + 1);
  };
  const latest = versions[0]?.version;
  return html`<section>
    <h1>History</h1>
    <p class="hint">Every change is a version. Who is the name the client sent; Token, the admin token that made it. Pick two to compare; roll back to any version (the rollback is itself a new version).</p>
    ${message ? html`<p class="success" data-testid="rolled-back">${message}</p>` : null}
    <table class="list" data-testid="versions">
      <thead><tr><th>From</th><th>To</th><th>Version</th><th>When</th><th>Who</th><th>What</th><th title="The admin token that made the change: its name and the start of its hash">Token</th><th></th></tr></thead>
      <tbody>
        ${versions.map(
          (entry) => html`<tr class=${entry.version === latest ? 'current' : ''}>
            <td><input type="radio" name="from" aria-label=${`compare from version ${entry.version}`} checked=${pair.from === entry.version} onChange=${() => setPair({ ...pair, from: entry.version })} /></td>
            <td><input type="radio" name="to" aria-label=${`compare to version ${entry.version}`} checked=${pair.to === entry.version} onChange=${() => setPair({ ...pair, to: entry.version })} /></td>
            <td>${entry.version}${entry.version === latest ? ' (in use)' : ''}</td>
            <td>${formatTime(entry.createdAt)}</td>
            <td>${entry.author}</td>
            <td>${entry.summary}</td>
            <td class="token" data-testid=${`token-${entry.version}`}>${entry.authorToken ?? ''}</td>
            <td>
              ${
                entry.version === latest
                  ? null
                  : html`<button type="button" data-testid=${`rollback-${entry.version}`} onClick=${() => rollback(entry.version)}>Roll back to ${entry.version}</button>`
              }
            </td>
          </tr>`,
        )}
      </tbody>
    </table>
    <h2>Changes from version ${pair.from} to ${pair.to}</h2>
    ${diff ? html`<${DiffTable} changes=${diff.changes} />` : html`<p class="loading">Loading…</p>`}
  </section>`;
}
