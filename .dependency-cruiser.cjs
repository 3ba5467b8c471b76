// `npm run cycles` (part of `npm test`): the module graph must stay one-way. See
// docs/architecture.md for the layers.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    // The layer table of docs/architecture.md, one rule per row; `to.pathNot` rules are
    // allow-lists (a Node built-in such as node:fs has the path `node:fs` and so is refused too).
    {
      name: 'agi-protocol-only',
      severity: 'error',
      comment:
        'agi/ is the FastAGI protocol: Node, zod (validation) and the pino logger type; nothing of ours.',
      from: { path: '^agi-server/src/agi/' },
      to: {
        pathNot: '^(agi-server/src/agi/|node_modules/(zod|pino)/)',
        dependencyTypesNot: ['core'],
      },
    },
    {
      name: 'routing-pure',
      severity: 'error',
      comment:
        'routing/ is pure: itself, @switchboard/contract and data libraries; no Node built-in, no store, no socket.',
      from: { path: '^agi-server/src/routing/' },
      to: {
        pathNot: '^(agi-server/src/routing/|contract/src/|node_modules/(zod|libphonenumber-js|microdiff)/)',
      },
    },
    {
      name: 'pure-helpers-no-io',
      severity: 'error',
      comment:
        'limits/ and call-outcome/ sit below handlers/, store/ and cdr/: routing model types, store types, no I/O.',
      from: { path: '^agi-server/src/(limits|call-outcome)/' },
      to: {
        pathNot:
          '^(agi-server/src/(limits|call-outcome|routing)/|agi-server/src/store/types[.]ts$|contract/src/|node_modules/zod/)',
      },
    },
    {
      name: 'handlers-not-api',
      severity: 'error',
      comment:
        'handlers/ answer AGI sessions; the admin API, the CLI, the CDR reader and the wiring are above them.',
      from: { path: '^agi-server/src/handlers/' },
      to: {
        path: '^agi-server/src/(api|cli|cdr|config-service|asterisk)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'handlers-store-types-only',
      severity: 'error',
      comment: 'handlers/ see the store through its types and the call-log writer, never an implementation.',
      from: { path: '^agi-server/src/handlers/' },
      to: { path: '^agi-server/src/store/', pathNot: '^agi-server/src/store/(types|call-log-writer)[.]ts$' },
    },
    {
      name: 'store-not-up',
      severity: 'error',
      comment: 'store/ is imported by the layers above it and imports none of them.',
      from: { path: '^agi-server/src/store/' },
      to: {
        path: '^agi-server/src/(handlers|api|cdr|cli|config-service|agi|asterisk)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'cdr-not-handlers',
      severity: 'error',
      comment: 'cdr/ reads Asterisk CDRs into the call log beside handlers/, not through them.',
      from: { path: '^agi-server/src/cdr/' },
      to: {
        path: '^agi-server/src/(handlers|api|cli|config-service|agi)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'media-edge',
      severity: 'error',
      comment:
        'media/ handles files beside Asterisk (prompts, recordings, retention): used by the API and the wiring, it imports none of our layers.',
      from: { path: '^agi-server/src/media/' },
      to: {
        path: '^agi-server/src/(routing|store|handlers|api|cli|cdr|config-service|agi|asterisk|messaging|pbx)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'pbx-edge',
      severity: 'error',
      comment:
        "pbx/ talks to Asterisk's live interface (AMI): Node and the contract only, none of our layers.",
      from: { path: '^agi-server/src/pbx/' },
      to: {
        path: '^agi-server/src/(routing|store|handlers|api|cli|cdr|config-service|agi|asterisk|messaging)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'twilio-rest-edge',
      severity: 'error',
      comment:
        "twilio-rest/ reaches Twilio's REST APIs through the twilio library: Node, twilio, zod and the contract only, none of our layers.",
      from: { path: '^agi-server/src/twilio-rest/' },
      to: {
        path: '^agi-server/src/(routing|store|handlers|api|cli|cdr|config-service|agi|asterisk|messaging|pbx|media)/|^agi-server/src/(app|main|config)[.]ts$',
      },
    },
    {
      name: 'twilio-only-through-twilio-rest',
      severity: 'error',
      comment:
        "In the server, only twilio-rest/ imports the twilio library: one place for Twilio's REST APIs.",
      from: { path: '^agi-server/src/', pathNot: '^agi-server/src/twilio-rest/' },
      to: { path: '^node_modules/twilio/' },
    },
    {
      name: 'messaging-not-edges',
      severity: 'error',
      comment:
        'messaging/ (intake, outbox worker, channels) is wired by app.ts; the API and handlers do not reach into it.',
      from: { path: '^agi-server/src/messaging/' },
      to: {
        path: '^agi-server/src/(handlers|api|cli|cdr|agi|asterisk)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'mail-edge',
      severity: 'error',
      comment:
        "mail/ sends email through the operator's SMTP server (nodemailer): Node and nodemailer, none of our layers.",
      from: { path: '^agi-server/src/mail/' },
      to: {
        path: '^agi-server/src/(routing|store|handlers|api|cli|cdr|config-service|agi|asterisk|messaging|pbx|media|voicemail)/|^agi-server/src/(app|main|config)[.]ts$',
      },
    },
    {
      name: 'voicemail-not-edges',
      severity: 'error',
      comment:
        'voicemail/ (spool watch, notices, the email channel) is wired by app.ts; the API and handlers do not reach into it.',
      from: { path: '^agi-server/src/voicemail/' },
      to: {
        path: '^agi-server/src/(handlers|api|cli|cdr|agi|asterisk)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'config-service-not-edges',
      severity: 'error',
      comment: 'config-service/ is used by the API and the wiring; it knows neither them nor the AGI side.',
      from: { path: '^agi-server/src/config-service/' },
      to: {
        path: '^agi-server/src/(handlers|api|cli|cdr|agi|asterisk)/|^agi-server/src/(app|main|run-server)[.]ts$',
      },
    },
    {
      name: 'routes-not-server',
      severity: 'error',
      comment: 'api/routes-*.ts are plugged in by api/server.ts and never import it.',
      from: { path: '^agi-server/src/api/routes-[^/]+[.]ts$' },
      to: { path: '^agi-server/src/api/server[.]ts$' },
    },
    {
      name: 'wiring-only-from-main',
      severity: 'error',
      comment: 'app.ts wires the layers; only run-server.ts (what main.ts runs) and the bench start it.',
      from: { path: '^agi-server/', pathNot: '^agi-server/(src/run-server[.]ts|bench/)' },
      to: { path: '^agi-server/src/app[.]ts$' },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle: split the shared part into its own module.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'functions-not-into-agi-server',
      severity: 'error',
      comment: 'The Functions share code with the AGI server only through @switchboard/contract.',
      from: { path: '^functions/' },
      to: { path: '^agi-server/' },
    },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: 'The contract is imported by both sides and imports neither.',
      from: { path: '^contract/' },
      to: { path: '^(agi-server|functions)/' },
    },
    {
      name: 'code-not-into-tests',
      severity: 'error',
      comment: 'Product code and benchmarks never import test code.',
      from: { path: '^(agi-server|functions|contract)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['switchboard-source', 'import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
