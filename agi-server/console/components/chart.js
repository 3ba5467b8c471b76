import { html } from '../html.js';

export const DISPOSITION_COLOURS = {
  answered: '#2e7d32',
  voicemail: '#1565c0',
  'in-progress': '#f9a825',
  abandoned: '#8d6e63',
  unanswered: '#ef6c00',
  rejected: '#6a1b9a',
  failed: '#c62828',
};

/** Counts of `calls` per hour of the last `hours` hours ending at `now`, by disposition. */
export function perHour(calls, now, hours = 24) {
  const end = Math.ceil(now / 3_600_000) * 3_600_000;
  const buckets = Array.from({ length: hours }, (_, index) => ({
    start: end - (hours - index) * 3_600_000,
    counts: {},
  }));
  for (const call of calls) {
    const index = Math.floor((Date.parse(call.startedAt) - (end - hours * 3_600_000)) / 3_600_000);
    const bucket = buckets[index];
    if (bucket) bucket.counts[call.disposition] = (bucket.counts[call.disposition] ?? 0) + 1;
  }
  return buckets;
}

/** A stacked bar per hour, one colour per disposition (SVG, no chart library needed for bars). */
export function CallsPerHour({ calls, now }) {
  const buckets = perHour(calls, now);
  const most = Math.max(
    1,
    ...buckets.map((bucket) => Object.values(bucket.counts).reduce((a, b) => a + b, 0)),
  );
  const width = 24;
  const height = 120;
  const used = Object.keys(DISPOSITION_COLOURS).filter((name) =>
    buckets.some((bucket) => bucket.counts[name]),
  );
  return html`<figure class="chart" data-testid="calls-per-hour">
    <svg viewBox=${`0 0 ${buckets.length * width} ${height + 16}`} role="img" aria-label="calls per hour by disposition">
      <line x1="0" x2=${buckets.length * width} y1="4" y2="4" class="scale" />
      <text x="3" y="14" class="scale-label">${most} call${most === 1 ? '' : 's'}/hour</text>
      ${buckets.map((bucket, index) => {
        let y = height;
        const hour = new Date(bucket.start).getHours();
        return html`<g>
          ${Object.entries(DISPOSITION_COLOURS).map(([name, colour]) => {
            const count = bucket.counts[name] ?? 0;
            if (!count) return null;
            const barHeight = (count / most) * (height - 4);
            y -= barHeight;
            return html`<rect class="bar" data-disposition=${name} x=${index * width + 3} y=${y} width=${width - 6} height=${barHeight} fill=${colour}>
              <title>${`${String(hour).padStart(2, '0')}:00 ${name}: ${count}`}</title>
            </rect>`;
          })}
          ${
            hour % 3 === 0
              ? html`<text x=${index * width + width / 2} y=${height + 12} text-anchor="middle">${String(hour).padStart(2, '0')}</text>`
              : null
          }
        </g>`;
      })}
    </svg>
    <figcaption>
      Calls per hour, last 24 hours (this browser's time):
      ${
        used.length
          ? used.map(
              (name) =>
                html`<span class="legend"><i style=${`background:${DISPOSITION_COLOURS[name]}`}></i>${name}</span>`,
            )
          : ' none yet'
      }
    </figcaption>
  </figure>`;
}
