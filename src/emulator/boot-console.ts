import type { SyslogSeverity } from './syslog-format.js';

/** A console line of the emulated runtime: `service[pid]: HPLnnnnnX: text`. */
export interface ConsoleLine {
  time: Date;
  service: string;
  pid: number;
  /** The runtime's message id (`HPL11099I`); absent for the emulator's own notes. */
  code?: string;
  severity: SyslogSeverity;
  text: string;
}

/** Where console lines go besides the console: the syslog forwarder once logging is set up. */
export interface LogSink {
  send(line: ConsoleLine): void;
}

export function formatConsoleLine(line: ConsoleLine): string {
  const message = line.code === undefined ? line.text : `${line.code}: ${line.text}`;
  return `${line.service}[${line.pid}]: ${message}`;
}

/**
 * Collects the boot's console lines in order, prints each as it happens, and forwards them to
 * the attached sinks. A sink attached late first receives every earlier line, as the runtime
 * replays its boot log when logging comes up.
 */
export class BootConsole {
  readonly lines: ConsoleLine[] = [];
  private readonly sinks: LogSink[] = [];
  private readonly pids = new Map<string, number>();
  private nextPid = 811;

  constructor(
    private readonly print: (text: string) => void,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  info(service: string, code: string, text: string): void {
    this.emit(service, 'info', text, code);
  }

  warn(service: string, code: string | undefined, text: string): void {
    this.emit(service, 'warning', text, code);
  }

  error(service: string, code: string | undefined, text: string): void {
    this.emit(service, 'error', text, code);
  }

  /** A line without a runtime message id, for what the emulator itself wants to say. */
  note(service: string, text: string): void {
    this.emit(service, 'info', text);
  }

  attach(sink: LogSink): void {
    for (const line of this.lines) sink.send(line);
    this.sinks.push(sink);
  }

  detach(sink: LogSink): void {
    const index = this.sinks.indexOf(sink);
    if (index >= 0) this.sinks.splice(index, 1);
  }

  private emit(service: string, severity: SyslogSeverity, text: string, code?: string): void {
    const line: ConsoleLine = {
      time: this.clock(),
      service,
      pid: this.pidOf(service),
      severity,
      text,
      ...(code === undefined ? {} : { code }),
    };
    this.lines.push(line);
    this.print(formatConsoleLine(line));
    for (const sink of this.sinks) sink.send(line);
  }

  // stable pseudo process ids, one per service, so repeated boots print the same lines
  private pidOf(service: string): number {
    let pid = this.pids.get(service);
    if (pid === undefined) {
      pid = this.nextPid;
      this.nextPid += 37;
      this.pids.set(service, pid);
    }
    return pid;
  }
}
