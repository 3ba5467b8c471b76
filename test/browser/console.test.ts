import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clockFrom, WEEKDAY_NOON_CHICAGO } from '../support/clock.js';
import { FakeAsterisk } from '../support/fake-asterisk.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { toneWav } from '../support/wav.js';
import { launchChromium, SCREENSHOTS, screenshot } from './browser.js';

// The operator console in real Chromium against a whole Switchboard (SQLite store, FastAGI
// server, admin API): every step goes through the page as an operator would, and every claim
// is checked again through the API.

let started: Awaited<ReturnType<typeof startSwitchboard>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];
/** Stands for Asterisk's monitor folder: the calls test's call has a recording here. */
const recordings = mkdtempSync(join(tmpdir(), 'sb-recordings-'));

interface RouteShape {
  did: string;
  plans: { open: Array<{ timeoutSeconds: number }> };
}

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${started.apiUrl}${path}`, {
    headers: { authorization: `Bearer ${started.token}` },
  });
  return response.json() as Promise<T>;
}

async function latestVersion(): Promise<number> {
  return (await api<{ version: number }>('/config')).version;
}

async function go(hash: string) {
  await page.goto(`${started.apiUrl}/console/#${hash}`);
}

beforeAll(async () => {
  // The folder shows this run only.
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  started = await startSwitchboard({
    seed: officeConfig,
    env: { SB_RECORDINGS_DIR: recordings },
    clock: clockFrom(new Date(WEEKDAY_NOON_CHICAGO)),
  });
  chromium = await launchChromium();
  context = chromium.context;
  page = context.pages()[0] ?? (await context.newPage());
  // The page's clock runs from the server's instant too (office hours on the fixtures' schedule):
  // the calls view asks for the last 24 hours by the browser's clock.
  await page.clock.install({ time: new Date(WEEKDAY_NOON_CHICAGO) });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}, 60_000);

afterEach(async (test) => {
  // What the page looked like when a step failed: the first thing to look at.
  if (test.task.result?.state === 'fail') await screenshot(page, `failed-${test.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  await chromium?.close();
  await started?.switchboard.close(500);
});

describe('operator console in Chromium', () => {
  it('refuses a wrong token, then signs in with the admin token', async () => {
    await page.goto(`${started.apiUrl}/`);
    await page.getByLabel('Admin API token').fill(`sb_${'x'.repeat(43)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    await screenshot(page, '01-sign-in-refused');

    await page.getByLabel('Admin API token').fill(started.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('calls').waitFor();
    expect(await page.getByRole('link', { name: 'Calls' }).getAttribute('class')).toBe('active');
  });

  it("changes a route's plan: the review shows the field-level diff, apply stores a version", async () => {
    const before = await latestVersion();
    await go('/routes');
    await page.getByTestId('routes').getByRole('link', { name: 'main', exact: true }).waitFor();
    await screenshot(page, '02-routes');
    await page.getByTestId('routes').getByRole('link', { name: 'main', exact: true }).click();

    const timeout = page.locator('[data-path="plans.open.0.timeoutSeconds"]');
    await timeout.fill('35');
    await timeout.blur();
    await page.getByTestId('review').click();
    const diff = page.getByTestId('diff');
    await diff.waitFor();
    expect(await diff.textContent()).toContain('routes.main.plans.open.0.timeoutSeconds');
    expect(await diff.locator('td.before').first().textContent()).toBe('20');
    expect(await diff.locator('td.after').first().textContent()).toBe('35');
    // Reviewing stores nothing.
    expect(await latestVersion()).toBe(before);
    await screenshot(page, '03-route-review-diff');

    await page.getByTestId('apply').click();
    await expect.poll(() => page.getByTestId('applied').textContent()).toContain(`version ${before + 1}`);
    await screenshot(page, '04-route-applied');
    const route = await api<RouteShape>('/routes/main');
    expect(route.plans.open[0]?.timeoutSeconds).toBe(35);
    expect(await latestVersion()).toBe(before + 1);
  });

  it('shows an invalid edit at its field and changes nothing', async () => {
    const before = await latestVersion();
    await go('/routes/main');
    const did = page.locator('[data-path="did"]');
    await did.fill('12');
    await did.blur();
    await page.getByTestId('review').click();
    const error = page.locator('[data-error-for="did"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('not a phone number: 12');
    expect(await did.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('apply').count()).toBe(0);
    await screenshot(page, '05-route-invalid-did');

    // A value the route's schema refuses (not the whole document): shown at its field too.
    await did.fill('+19863334949');
    const timeout = page.locator('[data-path="plans.open.0.timeoutSeconds"]');
    await timeout.fill('0');
    await timeout.blur();
    await page.getByTestId('review').click();
    const timeoutError = page.locator('[data-error-for="plans.open.0.timeoutSeconds"]');
    await timeoutError.waitFor();
    expect(await timeoutError.textContent()).toMatch(/>=1|at least|too small/i);
    await screenshot(page, '06-route-invalid-timeout');

    expect(await latestVersion()).toBe(before);
    const route = await api<RouteShape>('/routes/main');
    expect(route.did).toBe('+19863334949');
    expect(route.plans.open[0]?.timeoutSeconds).toBe(35);
  });

  it('shows a call placed through the AGI live in the calls view, then its timeline', async () => {
    await go('/calls');
    await page.getByTestId('calls').waitFor();
    const linkedId = '1763900000.77';
    const callSid = 'CA0123456789abcdef0123456789abcdef';
    const inbound = await FakeAsterisk.start(
      started.agiPort,
      `inbound?did=%2B19863334949&callsid=${callSid}&linkedid=${linkedId}`,
      { agi_callerid: '+15551230001' },
    );
    await inbound.serve();
    // No reload: the page follows calls in progress on its own.
    const row = page.getByTestId('calls').locator('tr', { hasText: '+15551230001' });
    await row.locator('.badge', { hasText: 'in-progress' }).waitFor({ timeout: 10_000 });
    await screenshot(page, '07-calls-in-progress');

    const hangup = await FakeAsterisk.start(
      started.agiPort,
      `hangup?linkedid=${linkedId}&action=dial&step=0&dialstatus=ANSWER&peer=PJSIP%2F101-00000004&answeredms=1000`,
    );
    await hangup.serve();
    await row.locator('.badge', { hasText: 'answered' }).waitFor({ timeout: 10_000 });
    expect(
      await page.getByTestId('calls-per-hour').locator('rect[data-disposition="answered"]').count(),
    ).toBe(1);
    await screenshot(page, '08-calls-answered');

    await row.getByRole('link').click();
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    expect(await page.getByTestId('call-sid').textContent()).toBe(callSid);
    const text = (await timeline.textContent()) ?? '';
    expect(text).toContain('step 1:');
    expect(text).toContain('answered by 101');
    // Times on the schedule's clock (the route's schedule is in America/Chicago).
    expect(text).toMatch(/GMT-0[56]:00/); // CST or CDT, whichever today is
    await screenshot(page, '09-call-timeline');
  });

  it('rolls back to version 1 from history, after showing the diff between versions', async () => {
    await go('/history');
    await page.getByTestId('versions').waitFor();
    await page.getByRole('radio', { name: 'compare from version 1', exact: true }).check();
    const diff = page.getByTestId('diff');
    await expect.poll(async () => diff.textContent()).toContain('routes.main.plans.open.0.timeoutSeconds');
    await screenshot(page, '10-history-diff');

    const before = await latestVersion();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('rollback-1').click();
    await expect.poll(() => page.getByTestId('rolled-back').textContent()).toContain('rollback to version 1');
    await screenshot(page, '11-history-rolled-back');
    expect(await latestVersion()).toBe(before + 1);
    // Which admin token made each change, as the API and the CLI show it: the rollback just made
    // with the console's token, and the edit before it.
    const history = await api<Array<{ version: number; authorToken?: string }>>('/history');
    for (const version of [before, before + 1]) {
      const stored = history.find((entry) => entry.version === version)?.authorToken;
      expect(stored).toMatch(/#[0-9a-f]{12}$/);
      await expect.poll(() => page.getByTestId(`token-${version}`).textContent()).toBe(stored);
    }
    const route = await api<RouteShape>('/routes/main');
    expect(route.plans.open[0]?.timeoutSeconds).toBe(20);
  });

  it('explains a call on Christmas Day: the closure decides, on the schedule clock', async () => {
    await go('/try');
    await page.getByLabel('dialled number (DID)').fill('+19863334949');
    await page.getByLabel("when (on the schedule's clock)").fill('2026-12-25T10:00');
    await page.getByTestId('explain').click();
    const explanation = page.getByTestId('explanation');
    await explanation.waitFor();
    const text = (await explanation.textContent()) ?? '';
    expect(text).toContain('closure "Christmas"');
    expect(text).toContain('Fri 2026-12-25 10:00:00 GMT-06:00 (America/Chicago)');
    expect(await page.getByTestId('ring-time').textContent()).toContain('the Twilio edge waits');
    await screenshot(page, '12-try-a-call');

    await page.getByLabel('dialled number (DID)').fill('abc');
    await page.getByTestId('explain').click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('not a phone number: abc');
  });

  it('adds an extension through review and apply', async () => {
    await go('/extensions/new');
    await page.locator('[data-path="number"]').fill('105');
    await page.locator('[data-path="name"]').fill('Lab bench');
    await page.locator('[data-path="name"]').blur();
    await page.getByTestId('review').click();
    const diff = page.getByTestId('diff');
    await diff.waitFor();
    expect(await diff.locator('tr.diff-added td code').first().textContent()).toBe('extensions.105');
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    await screenshot(page, '14-extension-added');
    expect(await api<{ name: string }>('/extensions/105')).toMatchObject({ name: 'Lab bench' });
  });

  it('gives an extension follow-me: a bad number is shown at its field, then applied', async () => {
    await go('/extensions/105');
    await page.getByRole('button', { name: '+ follow me' }).click();
    await page.locator('[data-path="followMe.numbers"]').fill('5551234');
    await page.locator('[data-path="followMe.numbers"]').blur();
    await page.getByTestId('review').click();
    const error = page.locator('[data-error-for="followMe.numbers"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('must be E.164, such as +19863334949');
    await page.locator('[data-path="followMe.numbers"]').fill('+12125550100');
    await page.locator('[data-path="followMe.numbers"]').blur();
    await page.getByTestId('review').click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    await screenshot(page, '14b-follow-me');
    expect(await api('/extensions/105')).toMatchObject({
      followMe: {
        enabled: true,
        deskSeconds: 15,
        numbers: ['+12125550100'],
        ringSeconds: 20,
        screening: true,
      },
    });
  });

  it('blocks a caller from its call-log row, then edits the blocklist through review and apply', async () => {
    await go('/calls');
    const row = page.getByTestId('calls').locator('tr', { hasText: '+15551230001' });
    page.once('dialog', (dialog) => dialog.accept());
    await row.getByTestId('block-caller').click();
    await row.getByTestId('blocked').waitFor();
    expect(await api<{ entries: unknown[] }>('/blocklist')).toMatchObject({
      entries: [{ caller: '+15551230001', note: 'blocked from the call log' }],
    });
    await screenshot(page, '15-caller-blocked');

    await go('/blocklist');
    await page.locator('[data-path="action.type"]').selectOption('announcement');
    await page.locator('[data-path="action.announcement"]').fill('custom/go-away');
    await page.locator('[data-path="action.announcement"]').blur();
    await page.getByTestId('review').click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    await screenshot(page, '16-blocklist-edited');
    expect(await api('/blocklist')).toMatchObject({
      action: { type: 'announcement', announcement: 'custom/go-away' },
    });
  });

  it("plays a call's recording on its page, and edits the recording rules", async () => {
    writeFileSync(join(recordings, '1763900000.77.wav'), toneWav(2));
    await go('/calls/1763900000.77');
    const player = page.getByTestId('recording');
    await player.waitFor();
    expect(await player.textContent()).toContain('(2 s)');
    // The audio element plays what the API served with the token (a blob: URL), not a bare path.
    expect(await player.locator('audio').getAttribute('src')).toMatch(/^blob:/);
    await screenshot(page, '17-call-recording');

    await go('/recording');
    await page.getByRole('button', { name: 'add' }).click();
    await page.locator('[data-path="rules.0.id"]').fill('everything');
    await page.locator('[data-path="rules.0.id"]').blur();
    await page.getByTestId('review').click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    expect(await api('/recording')).toMatchObject({
      rules: [{ id: 'everything', direction: 'both', record: true }],
    });
    // Recording on demand: the select's text goes back as the document's value.
    await page.locator('[data-path="rules.0.record"]').selectOption('on-demand');
    await page.getByTestId('review').click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    expect(await api('/recording')).toMatchObject({ rules: [{ id: 'everything', record: 'on-demand' }] });
  });

  it('turns a step into an IVR menu: a target outside the plan is shown at its field, then applied', async () => {
    await go('/routes/nights');
    await page.locator('[data-path="plans.open.0.type"]').selectOption('menu');
    await page.getByTestId('review').click();
    // The menu template sends digit 1, timeout and invalid to step 2; the plan has one step.
    const error = page.locator('[data-error-for="plans.open.0.onTimeout"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('no step 2: the plan has 1');
    await page.locator('fieldset[data-path="plans.open"] > button').click();
    await page.getByTestId('review').click();
    await page.getByTestId('diff').waitFor();
    await page.getByTestId('apply').click();
    await page.getByTestId('applied').waitFor();
    await screenshot(page, '18-menu-step');
    expect(await api('/routes/nights')).toMatchObject({
      plans: {
        open: [{ type: 'menu', options: [{ digit: '1', goTo: { step: 2 } }] }, { type: 'extension' }],
      },
    });
  });

  it('shows schedules as a weekly grid with holidays, extensions and outbound policies', async () => {
    await go('/schedules');
    const grid = page.getByTestId('grid-office');
    await grid.waitFor();
    // Mon-Fri 09:00-17:00: 16 open half-hours a day, 5 days.
    expect(await grid.locator('td.open').count()).toBe(80);
    expect(await page.locator('ul.closures').first().textContent()).toContain('2026-12-25');
    await screenshot(page, '13-schedules');
    await go('/extensions');
    await page.getByTestId('extensions').waitFor();
    await screenshot(page, '15-extensions');
    await go('/outbound');
    await page.getByTestId('policies').waitFor();
    await screenshot(page, '16-outbound');
    await go('/outbound/default');
    await page.locator('[data-path="allow"]').waitFor();
    await screenshot(page, '17-outbound-policy-edit');
    // Nothing on any console page logged an error (a 4xx the page expected is not logged).
    expect(consoleErrors.filter((text) => !/status of 40[01]/.test(text))).toEqual([]);
  });

  it('serves the API docs page', async () => {
    await page.goto(`${started.apiUrl}/docs`);
    await page.getByText('Switchboard admin API').first().waitFor({ timeout: 15_000 });
    await page.getByText('The whole routing document as YAML').first().waitFor({ timeout: 15_000 });
    await screenshot(page, '18-api-docs');
  });
});
