import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { html } from '../html.js';
import { DiffTable } from './diff.js';
import { Editor, issuesFor } from './editor.js';

/**
 * Edit one item, review, apply. "Review" sends the change to `POST /apply?dryRun=true`: the API
 * validates the whole resulting document and answers the field-level diff, without storing a
 * version. Only after that does "Apply" store it (`POST /apply`), so what the operator saw in the
 * review is what is applied. Issues land beside their fields (Editor).
 *
 * `kind` describes the item: `load()`, `body(draft)` (the /apply bundle), `prefixes(draft)`
 * (the API paths that lead to this item), `hints` (see Editor), `title`.
 */
export function EditPage({ kind }) {
  const [draft, setDraft] = useState(undefined);
  const [issues, setIssues] = useState([]);
  const [review, setReview] = useState(undefined);
  const [message, setMessage] = useState('');
  const [failure, setFailure] = useState('');

  useEffect(() => {
    kind.load().then(setDraft, (error) => setFailure(error.message));
  }, [kind]);

  if (failure && !draft) return html`<p class="error">${failure}</p>`;
  if (!draft) return html`<p class="loading">Loading…</p>`;

  const edit = (next) => {
    setDraft(next);
    setReview(undefined);
    setMessage('');
  };

  const showIssues = (list) => setIssues(issuesFor(list, kind.prefixes(draft)));

  const reviewChange = async () => {
    setMessage('');
    setFailure('');
    try {
      const result = await api('POST', '/apply?dryRun=true', kind.body(draft));
      showIssues(result.issues);
      setReview(result.valid ? result : undefined);
      if (!result.valid)
        setFailure(`Not applied: ${result.issues.length} problem(s), shown at their fields.`);
    } catch (error) {
      if (error instanceof ApiError && error.issues.length) {
        showIssues(error.issues);
        setFailure(`Not applied: ${error.issues.length} problem(s), shown at their fields.`);
      } else setFailure(error.message);
      setReview(undefined);
    }
  };

  const apply = async () => {
    try {
      const stored = await api('POST', '/apply', kind.body(draft));
      setMessage(`Applied as version ${stored.version}: live from the next call.`);
      setReview(undefined);
      setIssues([]);
    } catch (error) {
      showIssues(error.issues ?? []);
      setFailure(error.message);
    }
  };

  return html`<section class="edit-page">
    <h1>${kind.title(draft)}</h1>
    ${
      issues.length
        ? html`<div class="issues-summary" role="alert">
          ${issues.map((issue) => html`<div><code>${issue.path || '(this item)'}</code>: ${issue.message}</div>`)}
        </div>`
        : null
    }
    <${Editor} value=${draft} hints=${kind.hints} issues=${issues} onChange=${edit} />
    <div class="actions">
      <button type="button" class="primary" data-testid="review" onClick=${reviewChange}>Review changes</button>
      ${
        review
          ? html`<button type="button" class="apply" data-testid="apply" disabled=${!review.changes.length} onClick=${apply}>
            Apply ${review.changes.length} change(s)
          </button>`
          : null
      }
    </div>
    ${failure ? html`<p class="error" data-testid="edit-failure">${failure}</p>` : null}
    ${message ? html`<p class="success" data-testid="applied">${message}</p>` : null}
    ${
      review
        ? html`<div class="review">
          <h2>Review against version ${review.basedOn}: valid</h2>
          <${DiffTable} changes=${review.changes} />
        </div>`
        : null
    }
  </section>`;
}
