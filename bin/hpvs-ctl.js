#!/usr/bin/env node
import { main } from '../dist/cli.js';

// A reader that stops early (`hpvs-ctl ... | head`) is not an error: stop quietly, as
// command-line tools killed by SIGPIPE do, instead of crashing with a stack trace. Any other
// failure to write (a full disk behind `> file`) is one error line and exit 1.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(
    `hpvs-ctl: error: cannot write to standard output (${error.code ?? 'error'})\n`,
  );
  process.exit(1);
});

process.exitCode = await main(process.argv.slice(2));
