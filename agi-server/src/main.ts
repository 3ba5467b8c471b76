#!/usr/bin/env node
import { runServer } from './run-server.js';

// The `switchboard-agi` bin and `npm start`: the server on the machine's clock (run-server.ts).
runServer();
