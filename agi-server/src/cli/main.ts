#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { parse } from 'yaml';
import type { Explanation } from '../routing/explain.js';
import type { Extension, OutboundConfig, Route } from '../routing/model.js';
import type { OutboundVerdict } from '../routing/outbound.js';
import type { CallRecord, VersionMeta } from '../store/types.js';
import { ApiError, apiClient } from './client.js';
import { table } from './format.js';

// switchboard: the admin CLI. It talks to the admin API (SWITCHBOARD_URL, SWITCHBOARD_TOKEN), so
// every change is validated, versioned and live on the next call, like any API change.

const program = new Command('switchboard')
  .description('Switchboard admin: routes, extensions, explain, call log')
  .option('--url <url>', 'admin API address', process.env.SWITCHBOARD_URL ?? 'http://127.0.0.1:8080')
  .option('--token <token>', 'admin API token (default: $SWITCHBOARD_TOKEN)')
  .option('--json', 'print raw JSON');

const client = () => {
  const options = program.opts<{ url: string; token?: string }>();
  return apiClient(
    options.url,
    options.token ?? process.env.SWITCHBOARD_TOKEN,
    process.env.SWITCHBOARD_AUTHOR ?? userInfo().username,
  );
};
const asJson = () => program.opts<{ json?: boolean }>().json === true;
const print = (value: unknown, text: () => string) => {
  process.stdout.write(`${asJson() ? JSON.stringify(value, null, 2) : text()}\n`);
};

function readDataFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  return path.endsWith('.json') ? JSON.parse(text) : parse(text);
}

const routes = program.command('routes').description('inbound routes');
routes.command('list').action(async () => {
  const list = await client().request<Route[]>('GET', '/routes');
  print(list, () =>
    table(
      ['ID', 'DID', 'CALLER', 'SCHEDULE', 'FIRST STEP'],
      list.map((route) => [
        route.id,
        route.did,
        route.caller ? ('exact' in route.caller ? route.caller.exact : `${route.caller.prefix}*`) : '*',
        route.schedule ?? '-',
        route.plans.open[0]?.type ?? '',
      ]),
    ),
  );
});
routes.command('show <id>').action(async (id: string) => {
  const route = await client().request<Route>('GET', `/routes/${encodeURIComponent(id)}`);
  print(route, () => JSON.stringify(route, null, 2));
});
routes
  .command('apply <file>')
  .description(
    'create or replace the routes, schedules and extensions in a YAML or JSON file, as one version',
  )
  .action(async (file: string) => {
    const result = await client().request<{ version: number; summary: string }>(
      'POST',
      '/apply',
      readDataFile(file),
    );
    print(result, () => `version ${result.version}: ${result.summary}`);
  });
routes.command('rm <id>').action(async (id: string) => {
  const result = await client().request<{ version: number; summary: string }>(
    'DELETE',
    `/routes/${encodeURIComponent(id)}`,
  );
  print(result, () => `version ${result.version}: ${result.summary}`);
});
routes
  .command('history')
  .option('-n, --limit <n>', 'versions to show', '20')
  .action(async (options: { limit: string }) => {
    const history = await client().request<VersionMeta[]>(
      'GET',
      `/history?limit=${encodeURIComponent(options.limit)}`,
    );
    print(history, () =>
      table(
        ['VERSION', 'WHEN', 'WHO', 'WHAT'],
        history.map((entry) => [String(entry.version), entry.createdAt, entry.author, entry.summary]),
      ),
    );
  });
routes
  .command('rollback')
  .description('undo the latest change (stored as a new version)')
  .action(async () => {
    const result = await client().request<{ version: number; summary: string }>('POST', '/rollback');
    print(result, () => `version ${result.version}: ${result.summary}`);
  });

program
  .command('explain')
  .description('what happens to a call from --from to --to at --at (default: now)')
  .requiredOption('--to <number>', 'the dialled DID')
  .option('--from <number>', 'the caller')
  .option('--at <iso-time>', 'the instant, e.g. 2026-12-25T10:00:00-06:00')
  .action(async (options: { to: string; from?: string; at?: string }) => {
    const explanation = await client().request<Explanation>('POST', '/explain', options);
    print(explanation, () => {
      const head = explanation.route
        ? `${explanation.did}: route ${explanation.route.id} (version ${explanation.version}), ${explanation.planKey} plan at ${explanation.at}`
        : `${explanation.did ?? options.to}: no route (version ${explanation.version})`;
      const steps = explanation.plan.length
        ? explanation.plan.map((step, index) => `  ${index + 1}. ${step.label}`)
        : [`  ${explanation.first.label}`];
      const ring = explanation.ring;
      const ringLine = ring
        ? [
            `  rings up to ${ring.seconds}s ${ring.until === 'voicemail' ? 'before voicemail' : 'in all'} (the Twilio edge waits ${ring.edgeWaitSeconds}s)`,
          ]
        : [];
      return [head, ...steps, ...ringLine].join('\n');
    });
  });

const calls = program.command('calls').description('the call log');
calls
  .command('tail')
  .description('the latest calls; --follow keeps printing new ones')
  .option('-n, --limit <n>', 'calls to show', '20')
  .option('--did <number>', 'only calls to this DID')
  .option('-f, --follow', 'poll for new calls every second')
  .action(async (options: { limit: string; did?: string; follow?: boolean }) => {
    const query = new URLSearchParams({ limit: options.limit, ...(options.did ? { did: options.did } : {}) });
    const row = (call: CallRecord) => [
      call.startedAt,
      call.linkedId,
      call.did ?? '-',
      call.caller ?? '-',
      call.routeId ?? '-',
      call.disposition,
      call.answeredBy ?? '-',
    ];
    const headers = ['STARTED', 'LINKEDID', 'DID', 'CALLER', 'ROUTE', 'DISPOSITION', 'ANSWERED BY'];
    const seen = new Map<string, string>();
    const show = async (first: boolean) => {
      const list = (await client().request<CallRecord[]>('GET', `/calls?${query}`)).reverse();
      const fresh = list.filter((call) => seen.get(call.linkedId) !== call.disposition);
      for (const call of fresh) seen.set(call.linkedId, call.disposition);
      if (asJson()) for (const call of fresh) process.stdout.write(`${JSON.stringify(call)}\n`);
      else if (first) process.stdout.write(`${table(headers, list.map(row))}\n`);
      else if (fresh.length)
        process.stdout.write(`${table(headers, fresh.map(row)).split('\n').slice(1).join('\n')}\n`);
    };
    await show(true);
    while (options.follow) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await show(false);
    }
  });

const ext = program.command('ext').description('the extensions directory');
ext.command('list').action(async () => {
  const list = await client().request<Extension[]>('GET', '/extensions');
  print(list, () =>
    table(
      ['NUMBER', 'NAME', 'ENDPOINTS', 'MAILBOX', 'OUTBOUND CALLER ID'],
      list.map((e) => [
        e.number,
        e.name,
        (e.endpoints ?? [e.number]).join(','),
        e.mailbox ?? '-',
        e.outboundCallerId ?? '-',
      ]),
    ),
  );
});
ext
  .command('set <number>')
  .description('create or replace an extension')
  .requiredOption('--name <name>')
  .option('--endpoint <name...>', 'PJSIP endpoints that ring (default: the number)')
  .option('--mailbox <box>')
  .option('--caller-id <e164>', 'outbound caller ID (a DID you own)')
  .action(
    async (
      number: string,
      options: { name: string; endpoint?: string[]; mailbox?: string; callerId?: string },
    ) => {
      const body = {
        name: options.name,
        ...(options.endpoint ? { endpoints: options.endpoint } : {}),
        ...(options.mailbox ? { mailbox: options.mailbox } : {}),
        ...(options.callerId ? { outboundCallerId: options.callerId } : {}),
      };
      const result = await client().request<{ version: number; summary: string }>(
        'PUT',
        `/extensions/${encodeURIComponent(number)}`,
        body,
      );
      print(result, () => `version ${result.version}: ${result.summary}`);
    },
  );

const outbound = program.command('outbound').description('outbound calls: policies, trunks, explain');
outbound.command('show').action(async () => {
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
  .command('policy <id>')
  .description('create or replace an outbound policy')
  .option('--allow <scope>', 'internal | national | countries | international', 'national')
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
      const result = await client().request<{ version: number; summary: string }>(
        'PUT',
        `/outbound/policies/${encodeURIComponent(id)}`,
        body,
      );
      print(result, () => `version ${result.version}: ${result.summary}`);
    },
  );
outbound
  .command('explain')
  .description('what dialling a number from an extension does: the number, caller ID and trunks, or why not')
  .requiredOption('--ext <number>', 'the calling extension')
  .requiredOption('--dial <digits>', 'what the phone dialled')
  .action(async (options: { ext: string; dial: string }) => {
    const explanation = await client().request<{
      version: number;
      verdict: OutboundVerdict;
      attempts: Array<{ label: string }>;
    }>('POST', '/outbound/explain', { extension: options.ext, dialled: options.dial });
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

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`switchboard: ${message}\n`);
  process.exit(1);
});
