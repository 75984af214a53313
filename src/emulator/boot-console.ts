import { HpvsError } from '../core/errors.js';
import { INPUT_PHRASES, sayWording, type InputPhraseId, type Wording } from '../core/wording.js';
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

const MAX_KEPT_OUTPUT_LINES = 10_000;

/** Where console lines go besides the console: the syslog forwarder once logging is set up. */
export interface LogSink {
  send(line: ConsoleLine): void;
}

export function formatConsoleLine(line: ConsoleLine): string {
  const message = line.code === undefined ? line.text : `${line.code}: ${line.text}`;
  return `${line.service}[${line.pid}]: ${message}`;
}

/** The words a boot's caller uses for its inputs: the core's concepts, or a front end's own. */
export type InputPhrases = Readonly<Record<InputPhraseId, string>>;

/** A console line's text: plain, or worded when it refers to something the caller supplies. */
export type ConsoleText = string | Wording;

/**
 * Collects the boot's console lines in order, prints each as it happens, and forwards them to
 * the attached sinks. A sink attached late first receives every earlier line, as the runtime
 * replays its boot log when logging comes up. Worded text is said in the caller's phrases once,
 * when the line is made: the printed, kept and forwarded lines are the same text.
 */
export class BootConsole {
  readonly lines: ConsoleLine[] = [];
  private readonly sinks: LogSink[] = [];
  private readonly pids = new Map<string, number>();
  private nextPid = 811;
  private outputKept = 0;

  constructor(
    private readonly print: (text: string) => void,
    private readonly clock: () => Date = () => new Date(),
    private readonly phrases: InputPhrases = INPUT_PHRASES,
  ) {}

  info(service: string, code: string, text: ConsoleText): void {
    this.emit(service, 'info', this.say(text), code);
  }

  warn(service: string, code: string | undefined, text: ConsoleText): void {
    this.emit(service, 'warning', this.say(text), code);
  }

  error(service: string, code: string | undefined, text: ConsoleText): void {
    this.emit(service, 'error', this.say(text), code);
  }

  /** A line without a runtime message id, for what the emulator itself wants to say. */
  note(service: string, text: ConsoleText): void {
    this.emit(service, 'info', this.say(text));
  }

  /** Why something failed, in the caller's phrases when the error is worded. */
  reason(error: unknown): string {
    if (error instanceof HpvsError && error.wording !== undefined) {
      return sayWording(error.wording, this.phrases);
    }
    return error instanceof Error ? error.message : String(error);
  }

  private say(text: ConsoleText): string {
    return typeof text === 'string' ? text : sayWording(text, this.phrases);
  }

  /**
   * A line a container printed, under its name. A workload may print without end while the boot
   * follows it, so only the first lines are kept for the console log; all are printed and
   * forwarded.
   */
  output(service: string, text: string): void {
    if (this.outputKept < MAX_KEPT_OUTPUT_LINES) {
      this.outputKept++;
      this.emit(service, 'info', text);
      return;
    }
    if (this.outputKept === MAX_KEPT_OUTPUT_LINES) {
      this.outputKept++;
      this.emit(
        'hpcr-emulator',
        'info',
        `more than ${MAX_KEPT_OUTPUT_LINES} lines of container output: later ones are printed and forwarded, but not kept in the console log`,
      );
    }
    const line = this.line(service, 'info', text);
    this.print(formatConsoleLine(line));
    for (const sink of this.sinks) sink.send(line);
  }

  attach(sink: LogSink): void {
    for (const line of this.lines) sink.send(line);
    this.sinks.push(sink);
  }

  detach(sink: LogSink): void {
    const index = this.sinks.indexOf(sink);
    if (index >= 0) this.sinks.splice(index, 1);
  }

  private line(
    service: string,
    severity: SyslogSeverity,
    text: string,
    code?: string,
  ): ConsoleLine {
    return {
      time: this.clock(),
      service,
      pid: this.pidOf(service),
      severity,
      text,
      ...(code === undefined ? {} : { code }),
    };
  }

  private emit(service: string, severity: SyslogSeverity, text: string, code?: string): void {
    const line = this.line(service, severity, text, code);
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
