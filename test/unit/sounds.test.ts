import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officeConfig } from '../support/routing-fixtures.js';
import { startSwitchboard } from '../support/switchboard.js';
import { toneWav } from '../support/wav.js';

const soundsDir = mkdtempSync(join(tmpdir(), 'sb-sounds-'));
let started: Awaited<ReturnType<typeof startSwitchboard>>;

beforeAll(async () => {
  started = await startSwitchboard({ seed: officeConfig, env: { SB_SOUNDS_DIR: soundsDir } });
});
afterAll(async () => {
  await started.switchboard.close(500);
});

function put(name: string, body: Buffer | string, type = 'audio/wav') {
  const payload = typeof body === 'string' ? body : Uint8Array.from(body);
  return fetch(`${started.apiUrl}/sounds/${name}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${started.token}`, 'content-type': type },
    body: payload,
  });
}

describe('menu prompt uploads', () => {
  it('writes a telephony WAV as <name>.wav and lists it as custom/<name>', async () => {
    const wav = toneWav(1.5);
    const response = await put('main-menu', wav);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ prompt: 'custom/main-menu', bytes: wav.length, seconds: 1.5 });
    expect(readFileSync(join(soundsDir, 'main-menu.wav')).equals(wav)).toBe(true);
    const list = await fetch(`${started.apiUrl}/sounds`, {
      headers: { authorization: `Bearer ${started.token}` },
    });
    expect(await list.json()).toEqual([{ prompt: 'custom/main-menu', bytes: wav.length }]);
  });

  it('refuses what Asterisk cannot play, and names that could leave the folder', async () => {
    const stereo = await put('stereo', toneWav(1, 8000, 2));
    expect(stereo.status).toBe(400);
    expect(JSON.stringify(await stereo.json())).toContain('mono, 8000 Hz, 16-bit');
    expect((await put('wideband', toneWav(1, 16000))).status).toBe(400);
    expect(
      (await put('text', Buffer.from('RIFF0000WAVEnot really audio at all, just text.........'))).status,
    ).toBe(400);
    // Refused by the name's pattern (400), or resolved by the URL itself to another path (404).
    for (const name of ['..%2F..%2Fetc%2Fpasswd', 'UPPER', 'a.b', '%2E%2E']) {
      expect([400, 404], name).toContain((await put(name, toneWav(0.5))).status);
    }
    expect((await put('json', '{}', 'application/json')).status).toBe(400);
    expect(readdirSync(soundsDir)).toEqual(['main-menu.wav']);
    expect(existsSync(join(soundsDir, '..', 'passwd.wav'))).toBe(false);
  });
});
