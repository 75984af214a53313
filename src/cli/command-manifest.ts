import type { EventEmitter } from 'node:events';
import { Command, Help } from '@commander-js/extra-typings';
import { examples } from './commands/help-examples.js';

/**
 * What the program needs of a command whose file is not loaded: its place in the program's
 * help (name, term, description, first example) and its names for command lookup. The build
 * writes it from the real program (`commandManifest`, dist/command-manifest.json).
 */
export interface CommandSummary {
  name: string;
  aliases: string[];
  hidden: boolean;
  /** As commander lists it: name, alias, `[options]`, arguments. */
  term: string;
  description: string;
  /** A leaf command's first example (the program's help shows it). */
  example?: string;
  commands: CommandSummary[];
}

/** For each of COMMAND_MODULES, in that order, the top-level commands it adds. */
export type CommandManifest = CommandSummary[][];

/**
 * A stand-in command was about to parse its arguments or print its own help: only the real
 * command can, so the program is built again with every command file loaded.
 */
export class StubReached extends Error {}

const stubTerms = new WeakMap<object, string>();

/** The summary of one real command and its subcommands. */
export function summarize(command: Command, help: Help): CommandSummary {
  const internals = command as unknown as { _hidden: boolean };
  let example: string | undefined;
  if (command.commands.length === 0) {
    let text = '';
    (command as unknown as EventEmitter).emit('afterHelp', {
      error: false,
      command,
      write: (chunk: string) => (text += chunk),
    });
    example = /^ {2}\$ (.+)$/m.exec(text)?.[1];
  }
  return {
    name: command.name(),
    aliases: command.aliases(),
    hidden: internals._hidden,
    term: help.subcommandTerm(command as never),
    description: command.description(),
    ...(example === undefined ? {} : { example }),
    commands: (command.commands as Command[]).map((sub) => summarize(sub, help)),
  };
}

/**
 * Adds a stand-in for a command to `parent`: it shows in the help as the real one does and
 * is found by its names, but running it or asking for its help throws `StubReached`.
 */
export function addStub(parent: Command, summary: CommandSummary): void {
  const stub = parent
    .command(summary.name, { hidden: summary.hidden })
    .description(summary.description)
    .aliases(summary.aliases);
  stubTerms.set(stub, summary.term);
  stub.outputHelp = () => {
    throw new StubReached();
  };
  if (summary.example !== undefined) stub.addHelpText('after', examples(summary.example));
  for (const sub of summary.commands) addStub(stub as unknown as Command, sub);
}

export function isStub(command: object): boolean {
  return stubTerms.has(command);
}

/** The program's list of commands shows a stand-in's term as the real command's. */
export function subcommandTerm(this: Help, command: Command): string {
  return stubTerms.get(command) ?? Help.prototype.subcommandTerm.call(this, command as never);
}
