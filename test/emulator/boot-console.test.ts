import { describe, expect, it } from 'vitest';
import { BootConsole, type ConsoleLine } from '../../src/emulator/boot-console.js';

describe('BootConsole.output', () => {
  it('prints and forwards every container line but keeps only the first 10000 for the log', () => {
    const printed: string[] = [];
    const sent: ConsoleLine[] = [];
    const console = new BootConsole((text) => printed.push(text));
    console.attach({ send: (line) => sent.push(line) });
    for (let i = 0; i < 10_005; i++) console.output('app', `line ${i}`);
    expect(printed).toHaveLength(10_006);
    expect(sent).toHaveLength(10_006);
    expect(console.lines).toHaveLength(10_001);
    expect(console.lines.at(-1)!.text).toMatch(/more than 10000 lines of container output/);
    expect(printed.at(-1)).toMatch(/^app\[\d+\]: line 10004$/);
  });
});
