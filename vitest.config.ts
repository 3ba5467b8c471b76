import { defineConfig } from 'vitest/config';

// Five suites: `unit` and `faults` need nothing but Node; `pg` starts private PostgreSQL clusters
// from Debian's binaries (test/pg/provision.sh); `browser` needs Debian's Chromium and promtool
// (test/browser/provision.sh); `lab` drives real Asterisk 22 and SIPp in the cached chroot
// (test/lab/provision.sh) and runs its files one at a time (one Asterisk, one SIP port).
// `switchboard-source`: resolve @switchboard/contract to its TypeScript source (contract/package.json
// exports), here and in every process a test spawns, so tests never run a stale contract/dist.
export default defineConfig({
  // The environment vitest loads globalSetup files in (the lab's renders Asterisk's config, which
  // imports the contract) resolves with these; the tests' own (ssr) with `ssr.resolve` below.
  // Checked: the lab suite passes with contract/dist removed.
  environments: {
    __vitest__: {
      resolve: { conditions: ['switchboard-source', 'module', 'node', 'development|production'] },
    },
  },
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
          // Some tests spawn the CLI or the server (node + tsx, a few seconds each on a busy
          // 2-core machine, several per test): a timeout for a stuck test, not a speed check.
          testTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Fault injection and fuzzing through the real protocols: bounded in count and time
        // (about a minute together), run by `npm test` and so by CI.
        extends: true,
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          testTimeout: 120_000,
          // After the unit tests, not beside them: the fuzzers keep both cores busy, and the
          // unit tests' timeouts are not meant for a starved machine.
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // The operator console in Debian's Chromium (test/browser/provision.sh installs it).
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          sequence: { groupOrder: 3 },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/pg/**/*.test.ts'],
          globalSetup: ['test/pg/global-setup.ts'],
          // Whole server processes per file: one file at a time keeps CPU time for the measurements.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // extends: the source condition above, here and in every process a lab test spawns.
        extends: true,
        test: {
          name: 'lab',
          sequence: { groupOrder: 2 },
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
