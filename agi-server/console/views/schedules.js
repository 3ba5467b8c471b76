import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { EditPage } from '../components/edit-page.js';
import { html } from '../html.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const SLOTS = 48; // half hours

const minutes = (time) => {
  const [hours, mins] = time.split(':');
  return Number(hours) * 60 + Number(mins);
};

/** Which half-hours of each weekday a schedule is open (spans past midnight included). */
function openSlots(schedule) {
  const grid = Object.fromEntries(DAYS.map((day) => [day, new Array(SLOTS).fill(false)]));
  const mark = (day, from, to) => {
    for (let slot = Math.floor(from / 30); slot < Math.ceil(to / 30) && slot < SLOTS; slot++)
      grid[day][slot] = true;
  };
  for (const span of schedule.weekly) {
    const open = minutes(span.open);
    const close = minutes(span.close);
    for (const day of span.days) {
      if (open < close) mark(day, open, close);
      else {
        mark(day, open, 24 * 60);
        mark(DAYS[(DAYS.indexOf(day) + 1) % 7], 0, close);
      }
    }
  }
  return grid;
}

export function WeeklyGrid({ schedule }) {
  const grid = openSlots(schedule);
  return html`<table class="weekly" data-testid=${`grid-${schedule.id}`}>
    <thead>
      <tr>
        <th></th>
        ${Array.from({ length: 24 }, (_, hour) => html`<th colspan="2">${String(hour).padStart(2, '0')}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${DAYS.map(
        (day) => html`<tr>
          <th>${day}</th>
          ${grid[day].map((open) => html`<td class=${open ? 'open' : 'closed'}></td>`)}
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function ScheduleList() {
  const [schedules, setSchedules] = useState(undefined);
  useEffect(() => {
    api('GET', '/schedules').then(setSchedules);
  }, []);
  if (!schedules) return html`<p class="loading">Loading…</p>`;
  return html`<section>
    <h1>Schedules</h1>
    <p class="hint">Open hours on the schedule's own clock (shaded); closures are whole days in that zone.</p>
    ${schedules.map(
      (schedule) => html`<article class="schedule">
        <h2><a href=${`#/schedules/${schedule.id}`}>${schedule.name}</a> <small>${schedule.id} · ${schedule.timeZone}</small></h2>
        <${WeeklyGrid} schedule=${schedule} />
        <h3>Holidays and closures</h3>
        ${
          schedule.closures.length
            ? html`<ul class="closures">
              ${schedule.closures.map(
                (closure) =>
                  html`<li><code>${closure.date}${closure.until ? ` – ${closure.until}` : ''}</code> ${closure.name}</li>`,
              )}
            </ul>`
            : html`<p>None.</p>`
        }
      </article>`,
    )}
    <p><a class="button" href="#/schedules/new">New schedule</a></p>
  </section>`;
}

const hints = {
  numbers: [],
  choices: {},
  templates: {
    'weekly.*': { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' },
    'closures.*': { date: '2027-12-25', name: 'Christmas Day' },
  },
  optional: { 'closures.*.until': '2027-12-26' },
};

export function ScheduleEdit({ id }) {
  const kind = useMemo(
    () => ({
      title: (draft) => (id === 'new' ? 'New schedule' : `Schedule ${draft.id}`),
      load: () =>
        id === 'new'
          ? Promise.resolve({
              id: 'new-schedule',
              name: 'New schedule',
              timeZone: 'America/Chicago',
              weekly: [],
              closures: [],
            })
          : api('GET', `/schedules/${encodeURIComponent(id)}`),
      body: (draft) => ({ schedules: [draft] }),
      prefixes: (draft) => [`schedules.${draft.id}`, 'body.schedules.0'],
      hints,
    }),
    [id],
  );
  return html`<${EditPage} kind=${kind} />`;
}
