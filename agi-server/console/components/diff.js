import { show } from '../format.js';
import { html } from '../html.js';

/** A field-level diff from the API (`{ path, kind, before, after }` each), one row per field. */
export function DiffTable({ changes }) {
  if (!changes.length) return html`<p class="no-changes" data-testid="no-changes">No changes.</p>`;
  return html`<table class="diff" data-testid="diff">
    <thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>
    <tbody>
      ${changes.map(
        (change) => html`<tr class=${`diff-${change.kind}`}>
          <td><code>${change.path}</code></td>
          <td class="before">${change.kind === 'added' ? '' : html`<code>${show(change.before)}</code>`}</td>
          <td class="after">${change.kind === 'removed' ? html`<em>removed</em>` : html`<code>${show(change.after)}</code>`}</td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}
