/** Times and values as people read them. */

const formatters = new Map();

/** `Fri 2026-12-25 10:00:05 GMT-06:00` on `timeZone`'s wall clock (default: this browser's). */
export function formatTime(iso, timeZone) {
  if (!iso) return '–';
  const key = timeZone ?? '';
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      ...(timeZone ? { timeZone } : {}),
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    });
    formatters.set(key, format);
  }
  const parts = Object.fromEntries(
    format.formatToParts(new Date(iso)).map((part) => [part.type, part.value]),
  );
  return `${parts.weekday} ${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}

export function duration(startIso, endIso) {
  if (!startIso || !endIso) return '–';
  const seconds = Math.max(0, Math.round((Date.parse(endIso) - Date.parse(startIso)) / 1000));
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}m ${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export function show(value) {
  if (value === undefined) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function stepText(step) {
  switch (step.type) {
    case 'extension':
      return `ring ${step.extension} for ${step.timeoutSeconds}s`;
    case 'ring-group':
      return `ring ${step.extensions.join(' + ')} together for ${step.timeoutSeconds}s`;
    case 'hunt':
      return `hunt ${step.extensions.join(' → ')}, ${step.timeoutSeconds}s each`;
    case 'voicemail':
      return `voicemail ${step.mailbox}`;
    case 'forward':
      return `forward to ${step.number} for ${step.timeoutSeconds}s`;
    case 'reject':
      return `reject (${step.reason}${step.announcement ? `: ${step.announcement}` : ''})`;
    case 'menu':
      return `menu ${step.prompt} (${step.options.map((option) => option.digit).join(' ') || 'no options'})`;
    default:
      return step.type;
  }
}
