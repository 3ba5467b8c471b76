// `npm run cycles` (part of `npm test`): the module graph must stay one-way. See
// docs/architecture.md for the layers.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
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
