/**
 * Log lines for Twilio Functions: one JSON object per line on the console, which is where the
 * Functions runtime collects logs (a logging library would add weight for no gain here).
 */
type Level = 'info' | 'warn' | 'error';

export function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg: message, service: 'switchboard-functions', ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}
