import type { Command } from 'commander';
import type { CallRecord } from '../../store/types.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { CALL_HEADERS, callRow, callTimeline, localZone } from '../render.js';

/** `calls …`: the call log. */
export function registerCallCommands(program: Command, { client, print, asJson }: CliContext): void {
  // The call log
  const calls = program.command('calls').description('the call log');
  calls
    .command('tail')
    .description(`the latest calls, times on this machine's clock (${localZone()}); --follow keeps printing`)
    .option('-n, --limit <n>', 'calls to show', '20')
    .option('--did <number>', 'only calls to this DID')
    .option('-f, --follow', 'poll for new and changed calls every second')
    .action(async (options: { limit: string; did?: string; follow?: boolean }) => {
      const query = new URLSearchParams({
        limit: options.limit,
        ...(options.did ? { did: options.did } : {}),
      });
      const seen = new Map<string, string>();
      const show = async (first: boolean) => {
        const list = (
          await client().request<CallRecord[]>('GET', `/calls?${query}`, undefined, {
            flags: { limit: '--limit', did: '--did' },
          })
        ).reverse();
        const fresh = list.filter((call) => seen.get(call.linkedId) !== call.disposition);
        for (const call of fresh) seen.set(call.linkedId, call.disposition);
        if (asJson()) for (const call of fresh) process.stdout.write(`${JSON.stringify(call)}\n`);
        else if (first) process.stdout.write(`${table(CALL_HEADERS, list.map(callRow))}\n`);
        else if (fresh.length)
          process.stdout.write(
            `${table(CALL_HEADERS, fresh.map(callRow)).split('\n').slice(1).join('\n')}\n`,
          );
      };
      await show(true);
      while (options.follow) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await show(false);
      }
    });
  calls
    .command('show')
    .description("one call's timeline: each step, its outcome and time on the schedule's clock")
    .argument('<linkedid>', 'the call id shown by calls tail (LINKEDID)')
    .action(async (linkedId: string) => {
      const call = await client().request<CallRecord & { timeZone?: string }>(
        'GET',
        `/calls/${encodeURIComponent(linkedId)}`,
      );
      print(call, () => callTimeline(call));
    });
}
