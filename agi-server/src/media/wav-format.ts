/**
 * What Asterisk's `wav` format plays: RIFF/WAVE, PCM (format 1), one channel, 8000 Hz, 16-bit
 * (Asterisk's formats/format_wav.c). Uploaded prompts are checked against it before they are
 * written, so a menu never names a file Asterisk cannot play. Written by hand: only the `fmt `
 * chunk's header is read (a WAV library would decode the samples too, which nothing here needs).
 */

export interface WavFacts {
  readonly seconds: number;
}

export function checkTelephonyWav(data: Buffer): WavFacts | string {
  if (data.length < 44 || data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE')
    return 'not a WAV file (RIFF/WAVE header missing)';
  let offset = 12;
  let format: { audio: number; channels: number; rate: number; bits: number } | undefined;
  let dataBytes: number | undefined;
  // Chunks: 4-byte id, 4-byte little-endian size, body padded to an even length.
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    if (id === 'fmt ' && size >= 16 && offset + 24 <= data.length)
      format = {
        audio: data.readUInt16LE(offset + 8),
        channels: data.readUInt16LE(offset + 10),
        rate: data.readUInt32LE(offset + 12),
        bits: data.readUInt16LE(offset + 22),
      };
    if (id === 'data') {
      dataBytes = Math.min(size, data.length - offset - 8);
      break;
    }
    offset += 8 + size + (size % 2);
  }
  if (!format) return 'no fmt chunk';
  if (format.audio !== 1 || format.channels !== 1 || format.rate !== 8000 || format.bits !== 16)
    return `Asterisk plays WAV as PCM, mono, 8000 Hz, 16-bit; this one is format ${format.audio}, ${format.channels} channel(s), ${format.rate} Hz, ${format.bits}-bit (convert it: sox in.wav -r 8000 -c 1 -b 16 out.wav)`;
  if (dataBytes === undefined || dataBytes === 0) return 'no audio (empty data chunk)';
  return { seconds: dataBytes / 16_000 };
}
