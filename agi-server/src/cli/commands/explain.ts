import type { Command } from 'commander';
import type { Explanation } from '../../routing/explain.js';
import type { CliContext } from '../context.js';
import { explanationText } from '../render.js';

/** `explain`: what a call would do, and why. */
export function registerExplainCommand(program: Command, { client, print }: CliContext): void {
  program
    .command('explain')
    .description(
      'what a call from --from to --to at --at would do, and why: route, plan, each step, ring time',
    )
    .requiredOption('--to <number>', 'the dialled DID, in any form (+19863334949, 986-333-4949)')
    .option('--from <number>', 'the caller')
    .option(
      '--at <time>',
      "when: 2026-12-25T10:00 on the route's schedule clock, or an ISO time with offset (default: now)",
    )
    .action(async (options: { to: string; from?: string; at?: string }) => {
      const explanation = await client().request<Explanation>('POST', '/explain', options, {
        flags: { to: '--to', from: '--from', at: '--at' },
      });
      print(explanation, () => explanationText(explanation));
    });
}
