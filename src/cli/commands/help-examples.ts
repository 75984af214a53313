import type { EventEmitter } from 'node:events';
import type { Command } from '@commander-js/extra-typings';

/** Formats the "Examples:" block appended to a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * The program's own --help shows the first example of every command. Each command's examples
 * live in its `addHelpText('after', ...)` text, so this replays that help event into a buffer;
 * it runs only when the help is shown.
 */
export function programExamples(program: Command): string {
  const lines = leafCommands(program).flatMap((command) => {
    let text = '';
    (command as unknown as EventEmitter).emit('afterHelp', {
      error: false,
      command,
      write: (chunk: string) => (text += chunk),
    });
    const first = /^ {2}\$ (.+)$/m.exec(text)?.[1];
    return first === undefined ? [] : [first];
  });
  return lines.length === 0 ? '' : examples(...lines);
}

function leafCommands(command: Command): Command[] {
  return (command.commands as Command[]).flatMap((sub) =>
    sub.commands.length === 0 ? [sub] : leafCommands(sub),
  );
}
