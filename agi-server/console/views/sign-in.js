import { useState } from 'preact/hooks';
import { signIn } from '../api.js';
import { html } from '../html.js';

export function SignIn() {
  const [value, setValue] = useState('');
  const [failure, setFailure] = useState('');
  const submit = async (event) => {
    event.preventDefault();
    try {
      if (!(await signIn(value.trim())))
        setFailure(
          'That token was not accepted. Use the admin token shown at first start (or SB_ADMIN_TOKEN).',
        );
    } catch (error) {
      setFailure(`The admin API did not answer: ${error.message}`);
    }
  };
  return html`<section class="sign-in">
    <h1>Switchboard</h1>
    <form onSubmit=${submit}>
      <div class="field">
        <label for="token">Admin API token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" placeholder="sb_…" value=${value} onInput=${(event) => setValue(event.currentTarget.value)} />
        ${failure ? html`<p class="field-error" role="alert">${failure}</p>` : null}
      </div>
      <button class="primary" type="submit">Sign in</button>
    </form>
    <p class="hint">The token stays in this tab only. The same token works for the CLI (SWITCHBOARD_TOKEN).</p>
  </section>`;
}
