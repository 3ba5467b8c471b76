import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { stepText } from '../format.js';
import { html } from '../html.js';

const STEP_TYPES = ['extension', 'ring-group', 'hunt', 'voicemail', 'forward', 'reject', 'menu'];
const MENU_DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'];
const PLANS = ['open', 'closed', 'holiday'];

/** A new step of each type, with the values the model would default to. */
const STEP_TEMPLATES = {
  extension: { type: 'extension', extension: '100', timeoutSeconds: 20 },
  'ring-group': { type: 'ring-group', extensions: ['100', '101'], timeoutSeconds: 20 },
  hunt: { type: 'hunt', extensions: ['100', '101'], timeoutSeconds: 15 },
  voicemail: { type: 'voicemail', mailbox: '100' },
  forward: { type: 'forward', number: '+15550100000', timeoutSeconds: 30 },
  reject: { type: 'reject', reason: 'busy' },
  // An IVR menu (docs/menus.md): targets are step numbers of this plan, or { route: id }.
  menu: {
    type: 'menu',
    prompt: 'custom/main-menu',
    options: [{ digit: '1', goTo: { step: 2 } }],
    directDial: false,
    timeoutSeconds: 5,
    tries: 3,
    onTimeout: { step: 2 },
    onInvalid: { step: 2 },
  },
};

function routeHints(scheduleIds) {
  const hints = {
    choices: { schedule: scheduleIds },
    swap: {},
    templates: {},
    numbers: [],
    optional: {
      schedule: scheduleIds[0] ?? '',
      caller: { prefix: '+1' },
      'plans.closed': [STEP_TEMPLATES.voicemail],
      'plans.holiday': [STEP_TEMPLATES.voicemail],
    },
  };
  for (const plan of PLANS) {
    hints.choices[`plans.${plan}.*.type`] = STEP_TYPES;
    hints.choices[`plans.${plan}.*.reason`] = ['busy', 'congestion', 'announcement'];
    hints.swap[`plans.${plan}.*.type`] = (type) => structuredClone(STEP_TEMPLATES[type]);
    hints.templates[`plans.${plan}.*`] = STEP_TEMPLATES.extension;
    hints.numbers.push(`plans.${plan}.*.timeoutSeconds`);
    hints.choices[`plans.${plan}.*.options.*.digit`] = MENU_DIGITS;
    hints.templates[`plans.${plan}.*.options.*`] = { digit: '1', goTo: { step: 2 } };
    for (const field of [
      'tries',
      'directDialTimeoutSeconds',
      'onTimeout.step',
      'onInvalid.step',
      'options.*.goTo.step',
    ])
      hints.numbers.push(`plans.${plan}.*.${field}`);
  }
  return hints;
}

export function RouteList() {
  const [routes, setRoutes] = useState(undefined);
  useEffect(() => {
    api('GET', '/routes').then(setRoutes);
  }, []);
  if (!routes) return html`<p class="loading">Loading…</p>`;
  return html`<section>
    <h1>Inbound routes</h1>
    <p class="hint">Each DID (and optionally a caller pattern) takes a route; the route's schedule picks its open, closed or holiday plan.</p>
    <table class="list" data-testid="routes">
      <thead><tr><th>Route</th><th>DID</th><th>Callers</th><th>Schedule</th><th>Open plan</th></tr></thead>
      <tbody>
        ${routes.map(
          (route) => html`<tr>
            <td><a href=${`#/routes/${route.id}`}>${route.id}</a> ${route.name}</td>
            <td><code>${route.did}</code></td>
            <td>${route.caller ? (route.caller.exact ?? `${route.caller.prefix}…`) : 'anyone'}</td>
            <td>${route.schedule ? html`<a href="#/schedules">${route.schedule}</a>` : 'always open'}</td>
            <td>${route.plans.open.map(stepText).join(', then ')}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p><a class="button" href="#/routes/new">New route</a></p>
  </section>`;
}

export function RouteEdit({ id }) {
  const [scheduleIds, setScheduleIds] = useState(undefined);
  useEffect(() => {
    api('GET', '/schedules').then((list) => setScheduleIds(list.map((schedule) => schedule.id)));
  }, []);
  const kind = useMemo(
    () =>
      scheduleIds && {
        title: (draft) => (id === 'new' ? 'New route' : `Route ${draft.id}`),
        load: () =>
          id === 'new'
            ? Promise.resolve({
                id: 'new-route',
                name: '',
                did: '',
                plans: { open: [STEP_TEMPLATES.extension] },
              })
            : api('GET', `/routes/${encodeURIComponent(id)}`),
        body: (draft) => ({ routes: [draft] }),
        prefixes: (draft) => [`routes.${draft.id}`, 'body.routes.0'],
        hints: routeHints(scheduleIds),
      },
    [id, scheduleIds],
  );
  if (!kind) return html`<p class="loading">Loading…</p>`;
  return html`<${EditPage} kind=${kind} />`;
}
