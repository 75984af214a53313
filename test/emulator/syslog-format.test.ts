import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatRfc5424,
  frameOctetCounted,
  SyslogFrameDecoder,
} from '../../src/emulator/syslog-format.js';

describe('formatRfc5424', () => {
  it('writes PRI from facility daemon and the severity, and nil values for empty fields', () => {
    const message = formatRfc5424({
      time: new Date('2026-11-28T10:00:00.000Z'),
      hostname: 'hpcr-emulator-abc',
      appName: 'hpl-bootloader',
      procId: 811,
      msgId: '',
      severity: 'error',
      text: 'HPL11001E: cannot decrypt',
    });
    expect(message).toBe(
      '<27>1 2026-11-28T10:00:00.000Z hpcr-emulator-abc hpl-bootloader 811 - - HPL11001E: cannot decrypt',
    );
  });

  it('replaces spaces and control characters in header fields', () => {
    const message = formatRfc5424({
      time: new Date(0),
      hostname: 'a b',
      appName: 'x\ny',
      procId: 1,
      msgId: 'M',
      severity: 'info',
      text: 't',
    });
    expect(message.split(' ').slice(2, 4)).toEqual(['a_b', 'x_y']);
  });
});

describe('SyslogFrameDecoder', () => {
  it('reads octet-counted frames split at any byte, including multi-byte characters', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }),
        (messages, cuts) => {
          const stream = Buffer.concat(messages.map((m) => frameOctetCounted(m)));
          const decoder = new SyslogFrameDecoder();
          const out: string[] = [];
          let offset = 0;
          let index = 0;
          while (offset < stream.length) {
            const size = cuts[index++ % cuts.length]!;
            out.push(...decoder.push(stream.subarray(offset, offset + size)));
            offset += size;
          }
          expect(out).toEqual(messages);
        },
      ),
    );
  });

  it('reads LF-terminated frames (non-transparent framing) and a final unterminated line', () => {
    const decoder = new SyslogFrameDecoder();
    expect(decoder.push(Buffer.from('<14>1 - - - - - - one\r\n<14>1 - - - - - - tw'))).toEqual([
      '<14>1 - - - - - - one',
    ]);
    expect(decoder.push(Buffer.from('o\n<14>1 x'))).toEqual(['<14>1 - - - - - - two']);
    expect(decoder.flush()).toEqual(['<14>1 x']);
  });

  it('refuses an absurd octet count instead of buffering without limit', () => {
    const decoder = new SyslogFrameDecoder(1024);
    expect(() => decoder.push(Buffer.from('99999999 <14>1'))).toThrow(/invalid octet count/);
  });
});
