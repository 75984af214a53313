/**
 * Syslog over TCP/TLS as rsyslog's imtcp reads it: RFC 5424 messages, framed by octet counting
 * (RFC 6587 3.4.1, `LEN SP MSG`) when sending; both octet counting and LF-terminated frames
 * are accepted when receiving, as imtcp does.
 */

export type SyslogSeverity = 'error' | 'warning' | 'info';

const SEVERITY_CODE: Record<SyslogSeverity, number> = { error: 3, warning: 4, info: 6 };
// facility 3 (system daemons): the runtime's services are systemd units
const FACILITY_DAEMON = 3;

export interface SyslogMessage {
  time: Date;
  hostname: string;
  appName: string;
  procId: number | string;
  msgId: string;
  severity: SyslogSeverity;
  text: string;
}

/** One RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`. */
export function formatRfc5424(message: SyslogMessage): string {
  const pri = FACILITY_DAEMON * 8 + SEVERITY_CODE[message.severity];
  return [
    `<${pri}>1`,
    message.time.toISOString(),
    headerField(message.hostname, 255),
    headerField(message.appName, 48),
    headerField(String(message.procId), 128),
    headerField(message.msgId, 32),
    '-',
    message.text,
  ].join(' ');
}

/** Header fields are printable US-ASCII without spaces; empty is written as the nil value. */
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length === 0 ? '-' : clean;
}

export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

/**
 * Splits a received byte stream into messages. A frame starting with a digit is octet-counted;
 * anything else runs to the next LF. Bytes of an incomplete frame wait for the next chunk.
 */
export class SyslogFrameDecoder {
  private pending = Buffer.alloc(0);

  constructor(private readonly maxFrame = 256 * 1024) {}

  push(chunk: Uint8Array): string[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const messages: string[] = [];
    for (;;) {
      const next = this.next();
      if (next === undefined) break;
      messages.push(next);
    }
    return messages;
  }

  private next(): string | undefined {
    const data = this.pending;
    if (data.length === 0) return undefined;
    const first = data[0]!;
    if (first >= 0x30 && first <= 0x39) {
      const space = data.indexOf(0x20);
      if (space === -1) {
        if (data.length > 10) throw new Error('octet count without a space');
        return undefined;
      }
      const length = Number(data.subarray(0, space).toString('ascii'));
      if (!Number.isSafeInteger(length) || length > this.maxFrame) {
        throw new Error(`invalid octet count "${data.subarray(0, space).toString('ascii')}"`);
      }
      if (data.length < space + 1 + length) return undefined;
      this.pending = data.subarray(space + 1 + length);
      return data.subarray(space + 1, space + 1 + length).toString('utf8');
    }
    const lf = data.indexOf(0x0a);
    if (lf === -1) {
      if (data.length > this.maxFrame) throw new Error('line longer than the frame limit');
      return undefined;
    }
    this.pending = data.subarray(lf + 1);
    return data.subarray(0, lf).toString('utf8').replace(/\r$/, '');
  }

  /** What is left when the sender closes: an unterminated last line counts as a message. */
  flush(): string[] {
    const rest = this.pending.toString('utf8').trim();
    this.pending = Buffer.alloc(0);
    return rest.length > 0 ? [rest] : [];
  }
}
