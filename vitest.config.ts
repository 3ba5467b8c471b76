import { defineConfig } from 'vitest/config';

// Two suites: `unit` needs nothing but Node; `lab` drives real Asterisk 22 and SIPp in the
// cached chroot (test/lab/provision.sh) and runs its files one at a time, because they share
// one Asterisk instance and its SIP port.
// `switchboard-source`: resolve @switchboard/contract to its TypeScript source (contract/package.json
// exports), here and in every process a test spawns, so tests never run a stale contract/dist.
export default defineConfig({
  ssr: {
    resolve: {
      // Vite's defaults for the server side, plus ours first.
      conditions: ['switchboard-source', 'module', 'node', 'development|production'],
      externalConditions: ['switchboard-source'],
    },
  },
  test: {
    env: { NODE_OPTIONS: '--conditions=switchboard-source' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'lab',
          include: ['test/lab/**/*.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
