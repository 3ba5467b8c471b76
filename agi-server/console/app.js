import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onAuthChange, signOut, token } from './api.js';
import { html } from './html.js';
import { BlocklistEdit } from './views/blocklist.js';
import { CallDetail, CallList } from './views/calls.js';
import { ExtensionEdit, ExtensionList } from './views/extensions.js';
import { History } from './views/history.js';
import { MessagesView } from './views/messages.js';
import { OutboundView, PolicyEdit } from './views/outbound.js';
import { RecordingEdit } from './views/recording.js';
import { RouteEdit, RouteList } from './views/routes.js';
import { ScheduleEdit, ScheduleList } from './views/schedules.js';
import { SignIn } from './views/sign-in.js';
import { TryCall } from './views/try.js';
import { VoicemailView } from './views/voicemail.js';

/** Pages by hash (`#/routes/main`): bookmarkable, no server-side routing needed. */
const PAGES = [
  { pattern: /^\/calls\/(.+)$/, view: ([id]) => html`<${CallDetail} id=${decodeURIComponent(id)} />` },
  { pattern: /^\/calls$/, view: () => html`<${CallList} />`, nav: 'Calls', href: '/calls' },
  { pattern: /^\/messages$/, view: () => html`<${MessagesView} />`, nav: 'Messages', href: '/messages' },
  { pattern: /^\/voicemail$/, view: () => html`<${VoicemailView} />`, nav: 'Voicemail', href: '/voicemail' },
  { pattern: /^\/routes\/(.+)$/, view: ([id]) => html`<${RouteEdit} id=${id} key=${id} />` },
  { pattern: /^\/routes$/, view: () => html`<${RouteList} />`, nav: 'Routes', href: '/routes' },
  { pattern: /^\/schedules\/(.+)$/, view: ([id]) => html`<${ScheduleEdit} id=${id} key=${id} />` },
  { pattern: /^\/schedules$/, view: () => html`<${ScheduleList} />`, nav: 'Schedules', href: '/schedules' },
  {
    pattern: /^\/extensions\/(.+)$/,
    view: ([number]) => html`<${ExtensionEdit} number=${number} key=${number} />`,
  },
  {
    pattern: /^\/extensions$/,
    view: () => html`<${ExtensionList} />`,
    nav: 'Extensions',
    href: '/extensions',
  },
  { pattern: /^\/outbound\/(.+)$/, view: ([id]) => html`<${PolicyEdit} id=${id} key=${id} />` },
  { pattern: /^\/outbound$/, view: () => html`<${OutboundView} />`, nav: 'Outbound', href: '/outbound' },
  { pattern: /^\/blocklist$/, view: () => html`<${BlocklistEdit} />`, nav: 'Blocklist', href: '/blocklist' },
  { pattern: /^\/recording$/, view: () => html`<${RecordingEdit} />`, nav: 'Recording', href: '/recording' },
  { pattern: /^\/try$/, view: () => html`<${TryCall} />`, nav: 'Try a call', href: '/try' },
  { pattern: /^\/history$/, view: () => html`<${History} />`, nav: 'History', href: '/history' },
];

function currentPath() {
  return window.location.hash.replace(/^#/, '') || '/calls';
}

function App() {
  const [path, setPath] = useState(currentPath());
  const [, setSignedIn] = useState(Boolean(token()));
  useEffect(() => {
    const follow = () => setPath(currentPath());
    window.addEventListener('hashchange', follow);
    const stop = onAuthChange(() => setSignedIn(Boolean(token())));
    return () => {
      window.removeEventListener('hashchange', follow);
      stop();
    };
  }, []);
  if (!token()) return html`<${SignIn} />`;
  let page = html`<p>No such page. <a href="#/calls">Calls</a></p>`;
  for (const candidate of PAGES) {
    const match = candidate.pattern.exec(path);
    if (match) {
      page = candidate.view(match.slice(1));
      break;
    }
  }
  const section = path.split('/')[1];
  return html`<header>
      <a class="brand" href="#/calls">Switchboard</a>
      <nav>
        ${PAGES.filter((candidate) => candidate.nav).map((candidate) => {
          const active = candidate.href.split('/')[1] === section;
          return html`<a href=${`#${candidate.href}`} class=${active ? 'active' : ''}>${candidate.nav}</a>`;
        })}
        <a href="/docs" target="_blank" rel="noopener">API docs</a>
      </nav>
      <button type="button" class="link sign-out" onClick=${signOut}>Sign out</button>
    </header>
    <main key=${path}>${page}</main>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the "Loading…" placeholder, shown until the modules arrive
render(html`<${App} />`, root);
