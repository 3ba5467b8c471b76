import { type Command, Option } from 'commander';
import type { OutboundVerdict } from '../../routing/outbound.js';
import type { OutboundConfig } from '../../routing/outbound-model.js';
import type { CliContext, Version } from '../context.js';
import { table } from '../format.js';

/** `outbound …`: policies, trunks, explain. */
export function registerOutboundCommands(
  program: Command,
  { client, print, printVersion }: CliContext,
): void {
  // Outbound
  const outbound = program.command('outbound').description('outbound calls: policies, trunks, explain');
  outbound
    .command('show')
    .description('owned numbers, trunks, emergency numbers and policies')
    .action(async () => {
      const settings = await client().request<OutboundConfig>('GET', '/outbound');
      print(settings, () =>
        [
          `outside prefix: ${settings.outsidePrefix || '(none)'}   owned: ${settings.ownedNumbers.join(', ') || '-'}   default caller ID: ${settings.defaultCallerId ?? '-'}`,
          `trunks (in order): ${settings.trunks.map((trunk) => `${trunk.id}=${trunk.endpoint}`).join(', ') || '-'}   emergency: ${settings.emergencyNumbers.join(', ')}`,
          '',
          table(
            ['POLICY', 'ALLOW', 'COUNTRIES', 'CALLS/MIN', 'CONCURRENT', 'TRUNKS', 'BLOCKED'],
            settings.policies.map((policy) => [
              `${policy.id}${policy.id === settings.defaultPolicy ? ' (default)' : ''}`,
              policy.allow,
              policy.countries.join(',') || '-',
              String(policy.callsPerMinute),
              String(policy.maxConcurrent),
              policy.trunks?.join(',') ?? 'all',
              `${policy.blockedPrefixes.length} prefixes`,
            ]),
          ),
        ].join('\n'),
      );
    });
  outbound
    .command('policy')
    .description('create or replace an outbound policy')
    .argument('<id>', 'policy id, e.g. sales')
    .addOption(
      new Option('--allow <scope>', 'what may be dialled')
        .choices(['internal', 'national', 'countries', 'international'])
        .default('national'),
    )
    .option('--countries <list>', 'ISO country codes allowed besides the default country, e.g. GB,CA')
    .option('--calls-per-minute <n>', 'calls started per minute per extension')
    .option('--concurrent <n>', 'calls in progress per extension')
    .option('--trunks <list>', 'trunk ids in order')
    .option('--blocked <list>', 'blocked prefixes (replaces the default list)')
    .action(
      async (
        id: string,
        options: {
          allow: string;
          countries?: string;
          callsPerMinute?: string;
          concurrent?: string;
          trunks?: string;
          blocked?: string;
        },
      ) => {
        const list = (value: string | undefined) =>
          value
            ?.split(',')
            .map((item) => item.trim())
            .filter(Boolean);
        const body = {
          allow: options.allow,
          ...(options.countries ? { countries: list(options.countries) } : {}),
          ...(options.callsPerMinute ? { callsPerMinute: Number(options.callsPerMinute) } : {}),
          ...(options.concurrent ? { maxConcurrent: Number(options.concurrent) } : {}),
          ...(options.trunks ? { trunks: list(options.trunks) } : {}),
          ...(options.blocked ? { blockedPrefixes: list(options.blocked) } : {}),
        };
        const result = await client().request<Version>(
          'PUT',
          `/outbound/policies/${encodeURIComponent(id)}`,
          body,
          {
            flags: {
              allow: '--allow',
              countries: '--countries',
              callsPerMinute: '--calls-per-minute',
              maxConcurrent: '--concurrent',
              trunks: '--trunks',
              blockedPrefixes: '--blocked',
            },
          },
        );
        printVersion(result);
      },
    );
  outbound
    .command('policy-rm')
    .description('delete an outbound policy (refused while it is the default or an extension uses it)')
    .argument('<id>', 'policy id')
    .action(async (id: string) =>
      printVersion(await client().request<Version>('DELETE', `/outbound/policies/${encodeURIComponent(id)}`)),
    );
  const trunk = outbound.command('trunk').description('the trunks outbound calls leave through, in order');
  trunk
    .command('set')
    .description('create or replace a trunk; a new one goes last in the failover order')
    .argument('<id>', 'trunk id, e.g. twilio-east')
    .requiredOption('--endpoint <name>', 'its PJSIP endpoint, as the Asterisk settings render it')
    .option('--name <label>', 'a label for people')
    .action(async (id: string, options: { endpoint: string; name?: string }) => {
      const body = { endpoint: options.endpoint, ...(options.name ? { name: options.name } : {}) };
      printVersion(
        await client().request<Version>('PUT', `/outbound/trunks/${encodeURIComponent(id)}`, body, {
          flags: { endpoint: '--endpoint', name: '--name' },
        }),
      );
    });
  trunk
    .command('rm')
    .description('delete a trunk (refused while a policy or the emergency route names it)')
    .argument('<id>', 'trunk id')
    .action(async (id: string) =>
      printVersion(await client().request<Version>('DELETE', `/outbound/trunks/${encodeURIComponent(id)}`)),
    );
  outbound
    .command('explain')
    .description(
      'what dialling a number from an extension does: the number, caller ID and trunks, or why not',
    )
    .requiredOption('--ext <number>', 'the calling extension')
    .requiredOption('--dial <digits>', 'what the phone dialled')
    .action(async (options: { ext: string; dial: string }) => {
      const explanation = await client().request<{
        version: number;
        verdict: OutboundVerdict;
        attempts: Array<{ label: string }>;
      }>(
        'POST',
        '/outbound/explain',
        { extension: options.ext, dialled: options.dial },
        { flags: { extension: '--ext', dialled: '--dial' } },
      );
      print(explanation, () => {
        const { verdict } = explanation;
        if (verdict.kind === 'denied')
          return `${options.dial} from ${options.ext}: denied (${verdict.reason})${verdict.number ? ` ${verdict.number}` : ''}`;
        if (verdict.kind === 'internal')
          return `${options.dial} from ${options.ext}: internal call to extension ${verdict.extension}`;
        return [
          `${options.dial} from ${options.ext}: ${verdict.emergency ? 'emergency ' : ''}${verdict.number} with caller ID ${verdict.callerId ?? '(unchanged)'}`,
          ...explanation.attempts.map((attempt, index) => `  ${index + 1}. ${attempt.label}`),
        ].join('\n');
      });
    });
}
