#!/usr/bin/env node
import { main } from '../dist/cli.js';

// A reader that stops early (`hpvs-ctl ... | head`) is not an error: stop quietly, as
// command-line tools killed by SIGPIPE do, instead of crashing with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
