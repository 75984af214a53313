import type { AppendOutput } from '../node/append-output.js';
import { LogServer, type LogServerOptions } from './log-server.js';

export interface ReceiveLogsOptions extends Omit<LogServerOptions, 'onMessage'> {
  /** Where each message goes. */
  output: AppendOutput;
  /** The text appended for one message. */
  line: (message: string) => string;
  /** Resolves when the receiver is asked to stop (a signal). */
  stop: Promise<void>;
  onListening?: (server: LogServer) => void;
}

/**
 * Runs a log server until `stop` resolves or the output fails. Either way it stops accepting,
 * ends the open connections and writes what it already queued; a failed output is then
 * rethrown, so the caller reports one line instead of losing messages silently.
 */
export async function receiveLogs(options: ReceiveLogsOptions): Promise<void> {
  const { output, line, stop, onListening, ...serverOptions } = options;
  let failure: unknown;
  let failed!: () => void;
  const outputFailed = new Promise<void>((resolve) => (failed = resolve));
  let writes = Promise.resolve();
  let server: LogServer;
  try {
    server = await LogServer.start({
      ...serverOptions,
      onMessage: (message) => {
        const text = line(message);
        writes = writes.then(async () => {
          if (failure !== undefined) return;
          try {
            await output.append(text);
          } catch (error) {
            failure = error;
            failed();
          }
        });
      },
    });
  } catch (error) {
    await output.discard();
    throw error;
  }
  onListening?.(server);
  await Promise.race([stop, outputFailed]);
  await server.close();
  await writes;
  await output.close();
  if (failure !== undefined) throw failure;
}
