import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { formatTime } from '../format.js';
import { html } from '../html.js';

/** datetime-local wants `YYYY-MM-DDTHH:MM` in this browser's zone. */
function localInputValue(date) {
  const shifted = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return shifted.toISOString().slice(0, 16);
}

export function TryCall() {
  const [routes, setRoutes] = useState([]);
  const [form, setForm] = useState({ to: '', from: '', at: localInputValue(new Date()) });
  const [result, setResult] = useState(undefined);
  const [issues, setIssues] = useState([]);
  useEffect(() => {
    // The DIDs are offered as suggestions (datalist); the field is never filled in under the user.
    api('GET', '/routes').then(setRoutes);
  }, []);

  const explain = async () => {
    setIssues([]);
    try {
      // No offset: the API reads the time on the route's schedule clock, as its hours are written.
      const body = {
        to: form.to,
        ...(form.from ? { from: form.from } : {}),
        ...(form.at ? { at: form.at } : {}),
      };
      setResult(await api('POST', '/explain', body));
    } catch (error) {
      setResult(undefined);
      setIssues(
        error instanceof ApiError && error.issues.length
          ? error.issues
          : [{ path: '', message: error.message }],
      );
    }
  };
  const errorAt = (name) =>
    issues
      .filter((issue) => issue.path === `body.${name}` || (name === 'to' && issue.path === ''))
      .map((issue) => html`<p class="field-error" role="alert">${issue.message}</p>`);
  const input = (name, props) => html`<div class="field">
    <label for=${`try-${name}`}>${props.label}</label>
    <input id=${`try-${name}`} name=${name} value=${form[name]} ...${props.input} onInput=${(event) => setForm({ ...form, [name]: event.currentTarget.value })} />
    ${errorAt(name)}
  </div>`;
  const zone = result?.schedule?.timeZone;
  return html`<section>
    <h1>Try a call</h1>
    <p class="hint">What would happen to a call, and why: the route, the plan the schedule picks, every step. Nothing is dialled.</p>
    <form class="editor try" onSubmit=${(event) => {
      event.preventDefault();
      explain();
    }}>
      ${input('to', { label: 'dialled number (DID)', input: { list: 'dids', placeholder: '+19863334949' } })}
      <datalist id="dids">${routes.map((route) => html`<option value=${route.did}>${route.id}</option>`)}</datalist>
      ${input('from', { label: 'caller (optional)', input: { placeholder: '+15551230001' } })}
      ${input('at', { label: "when (on the schedule's clock)", input: { type: 'datetime-local' } })}
      <button class="primary" type="submit" data-testid="explain">Explain</button>
    </form>
    ${
      result
        ? html`<div class="explanation" data-testid="explanation">
          <p class="because"><strong>${result.because}</strong></p>
          <dl class="facts">
            <dt>Route</dt><dd>${result.route ? `${result.route.id} ${result.route.name}` : 'none'} (version ${result.version})</dd>
            <dt>Plan</dt><dd>${result.planKey ?? '–'}</dd>
            <dt>When</dt><dd>${zone ? `${result.schedule.localTime} (${zone})` : formatTime(result.at)}</dd>
            ${
              result.ring
                ? html`<dt>Total ring time</dt><dd data-testid="ring-time">up to ${result.ring.seconds}s, then ${result.ring.until} (the Twilio edge waits ${result.ring.edgeWaitSeconds}s)</dd>`
                : null
            }
          </dl>
          <ol class="steps">
            ${(result.plan.length ? result.plan : [result.first]).map((step) => html`<li>${step.label}</li>`)}
          </ol>
        </div>`
        : null
    }
  </section>`;
}
