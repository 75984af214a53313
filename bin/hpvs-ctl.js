#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): Node.js starts a CommonJS main file without setting up its ES
// module loader, about 7 ms of CPU less per command (bench/README.md).
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// A reader that stops early (`hpvs-ctl ... | head`) is not an error: stop quietly, as
// command-line tools killed by SIGPIPE do, instead of crashing with a stack trace. Any other
// failure to write (a full disk behind `> file`) is one error line and exit 1.
function onStdoutError(error) {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(
    `hpvs-ctl: error: cannot write to standard output (${error.code ?? 'error'})\n`,
  );
  process.exit(1);
}

// Node.js makes process.stdout on first use (for a pipe, a socket: about 5 ms of CPU), and a
// command that writes its result to a file prints nothing: the handler comes with the stream.
const stdout = Object.getOwnPropertyDescriptor(process, 'stdout');
Object.defineProperty(process, 'stdout', {
  configurable: true,
  enumerable: stdout.enumerable,
  get() {
    const stream = stdout.get.call(process);
    Object.defineProperty(process, 'stdout', {
      configurable: true,
      enumerable: stdout.enumerable,
      value: stream,
      writable: false,
    });
    stream.on('error', onStdoutError);
    return stream;
  },
});

const argv = process.argv.slice(2);
const help = programHelp(argv);
if (help !== undefined) process.exitCode = help;
else
  require('./load-cli.js')
    .loadCli()
    .cli.main(argv)
    .then((status) => (process.exitCode = status));

/**
 * `hpvs-ctl --help`, `-h` or no arguments print the program's help (to stderr and exit 2 for
 * no arguments) without loading the CLI: the build wrote it as commander prints it when the
 * output is not a terminal (test/build/top-help.test.ts proves the two equal). On a terminal
 * commander fits the help to its width, so the CLI prints it.
 */
function programHelp(args) {
  const asked = args.length === 1 && (args[0] === '--help' || args[0] === '-h');
  if (!asked && args.length > 0) return undefined;
  const stream = asked ? process.stdout : process.stderr;
  if (stream.isTTY) return undefined;
  let text;
  try {
    text = readFileSync(join(__dirname, '../dist/help.txt'), 'utf8');
  } catch {
    return undefined; // a build in progress: the CLI prints it
  }
  stream.write(text);
  return asked ? 0 : 2;
}
