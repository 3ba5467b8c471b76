import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardedMessage, signForwardedMessage } from '../../contract/src/message-forward.js';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { launchChromium, screenshot } from './browser.js';

// The console's Messages view in real Chromium: texts stored through POST /inbound-message (signed
// as the Function signs them), shown as conversations by number; a hostile body stays text.

const secret = 'b'.repeat(40);
let started: Awaited<ReturnType<typeof startSwitchboard>>;
let chromium: Awaited<ReturnType<typeof launchChromium>>;
const errors: string[] = [];
let counter = 0;

async function text(from: string, body: string) {
  counter++;
  const message: ForwardedMessage = {
    messageSid: `SM${counter.toString(16).padStart(32, '0')}`,
    accountSid: `AC${'2'.repeat(32)}`,
    from,
    to: '+19863334949',
    body,
    media: [],
  };
  const response = await fetch(`${started.apiUrl}/inbound-message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signForwardedMessage(message, secret, new Date()) },
    body: JSON.stringify(message),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  started = await startSwitchboard({
    seed: {
      ...officeConfig,
      // 101 texts from its own number; 100 has none that can send texts.
      extensions: officeConfig.extensions?.map((extension) =>
        extension.number === '101' ? { ...extension, outboundCallerId: '+19863334950' } : extension,
      ),
      outbound: {
        ownedNumbers: ['+19863334950'],
        policies: [{ id: 'default', allow: 'national', callsPerMinute: 10, maxConcurrent: 1 }],
      },
      messaging: { smsNumbers: ['+19863334950'] },
    },
    headerSecret: secret,
  });
  chromium = await launchChromium();
}, 60_000);
afterAll(async () => {
  await chromium?.close();
  await started?.switchboard.close(500);
});

describe('console: Messages', () => {
  it('shows texts as conversations by number, bodies as text', async () => {
    await text('+15125550199', 'Ünï ✓ 👋');
    await text('+15125550111', '<img src=x onerror="window.pwned=1">');
    await text('+15125550199', 'second from 0199');
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${started.apiUrl}/`);
    await page.getByLabel('Admin API token').fill(started.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('calls').waitFor();
    await page.getByRole('link', { name: 'Messages' }).click();
    const conversations = page.getByTestId('conversations');
    await conversations.waitFor();
    expect(await conversations.getByRole('button').allTextContents()).toEqual([
      '+15125550199 (2)',
      '+15125550111 (1)',
    ]);
    const thread = page.getByTestId('thread');
    expect(await thread.locator('.body').allTextContents()).toEqual(['Ünï ✓ 👋', 'second from 0199']);
    await conversations.getByRole('button', { name: '+15125550111 (1)' }).click();
    await expect
      .poll(() => thread.locator('.body').allTextContents())
      .toEqual(['<img src=x onerror="window.pwned=1">']);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    await screenshot(page, 'messages');
    expect(errors).toEqual([]);
  });

  it('replies as an extension under its policy: a refusal says why, a reply joins the thread', async () => {
    const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    const conversations = page.getByTestId('conversations');
    await conversations.getByRole('button', { name: '+15125550199 (2)' }).click();
    const reply = page.getByTestId('reply');
    // The conversation's extension by default: 100 took these texts, and it has no SMS number.
    expect(await reply.getByLabel('as extension').inputValue()).toBe('100');
    await reply.getByLabel('reply to +15125550199').fill('hello back 👋');
    await reply.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => reply.getByRole('status').textContent())
      .toBe('Not sent to +15125550199: your extension has no number that can send texts.');
    await reply.getByLabel('as extension').fill('101');
    await reply.getByLabel('reply to +15125550199').fill('hello back 👋');
    await reply.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => reply.getByRole('status').textContent())
      .toBe('queued for Twilio from +19863334950');
    const thread = page.getByTestId('thread');
    await expect
      .poll(() => thread.locator('.body').allTextContents())
      .toEqual(['Ünï ✓ 👋', 'second from 0199', 'hello back 👋', 'hello back 👋']);
    // The refused attempt is on record too, with its status.
    expect(await thread.locator('.hint').nth(2).textContent()).toContain('refused');
    const [sent] = (await (
      await fetch(`${started.apiUrl}/messages?direction=outbound&limit=1`, {
        headers: { authorization: `Bearer ${started.token}` },
      })
    ).json()) as Array<Record<string, unknown>>;
    expect(sent).toMatchObject({ from: '101', to: '+15125550199', body: 'hello back 👋', status: 'queued' });
    await screenshot(page, 'messages-reply');
    expect(errors).toEqual([]);
  });
});
