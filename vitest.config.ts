import { defineConfig } from 'vitest/config';

// Two suites: `unit` needs nothing but Node; `lab` drives real Asterisk 22 and SIPp in the
// cached chroot (test/lab/provision.sh) and runs its files one at a time, because they share
// one Asterisk instance and its SIP port.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
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
