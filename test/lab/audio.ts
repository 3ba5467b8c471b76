/**
 * Test audio for SIPp's rtp_stream: a tone as raw G.711 µ-law (8 kHz, 8-bit), the payload of
 * PCMU RTP. Written by the test, so the lab needs no recorded sample.
 */

/** ITU-T G.711 µ-law encoding of one 16-bit linear sample. */
export function linearToMuLaw(sample: number): number {
  const BIAS = 0x84;
  const CLIP = 32_635;
  const sign = sample < 0 ? 0x80 : 0;
  let magnitude = Math.min(Math.abs(Math.trunc(sample)), CLIP) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (magnitude & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  magnitude = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return magnitude;
}

export function muLawTone(seconds: number, hertz = 440, amplitude = 8_000): Buffer {
  const rate = 8_000;
  const samples = Buffer.alloc(Math.round(seconds * rate));
  for (let index = 0; index < samples.length; index++) {
    samples[index] = linearToMuLaw(amplitude * Math.sin((2 * Math.PI * hertz * index) / rate));
  }
  return samples;
}
