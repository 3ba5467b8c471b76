#!/usr/bin/env node
import { runCli } from './program.js';

// The `switchboard` command: see program.ts for the commands, `switchboard --help` for usage.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
