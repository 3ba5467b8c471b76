/** A WAV file for tests: `seconds` of a 440 Hz tone at `rate` Hz, 16-bit PCM, `channels` channels. */
export function toneWav(seconds: number, rate = 8000, channels = 1): Buffer {
  const samples = Math.round(seconds * rate);
  const data = Buffer.alloc(samples * 2 * channels);
  for (let i = 0; i < samples; i += 1)
    for (let c = 0; c < channels; c += 1)
      data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), (i * channels + c) * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2 * channels, 28);
  header.writeUInt16LE(2 * channels, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
