import { isIP } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { HpvsError } from '../core/errors.js';
import type { ConsoleLine, LogSink } from './boot-console.js';
import { formatRfc5424, frameOctetCounted } from './syslog-format.js';

export interface SyslogTarget {
  hostname: string;
  port: number;
  /** PEM of the CA that must have issued the server's certificate. */
  caPem: string;
  /** PEM of the client certificate and key the server authenticates the instance by. */
  certPem?: string;
  keyPem?: string;
}

export interface ForwarderOptions {
  /** The instance's host name in each message. */
  hostname: string;
  connectTimeoutMs?: number;
  /**
   * Under TLS 1.3 a server checks the client certificate after the client already considers
   * the handshake done; a refusal arrives as an alert a moment later. Wait this long for it
   * (or for the session ticket that shows acceptance) before calling logging set up.
   */
  confirmTimeoutMs?: number;
}

/**
 * Forwards console lines to a syslog server over TLS with mutual authentication, as RFC 5424
 * messages with octet-counting framing. The server must present a certificate issued by the
 * contract's CA for the host name (or address) in the contract.
 */
export class SyslogForwarder implements LogSink {
  private failure: HpvsError | undefined;
  private closing = false;

  private constructor(
    private readonly socket: TLSSocket,
    private readonly target: SyslogTarget,
    private readonly hostname: string,
  ) {
    socket.on('error', (error) => {
      this.failure ??= describeTlsFailure(error, target);
    });
    socket.on('close', () => {
      if (!this.closing) {
        this.failure ??= new HpvsError(
          'LOGGING_FAILED',
          `the syslog server ${target.hostname}:${target.port} closed the connection; later lines were not delivered`,
        );
      }
    });
  }

  static async connect(target: SyslogTarget, options: ForwarderOptions): Promise<SyslogForwarder> {
    const socket = await openSocket(target, options.connectTimeoutMs ?? 5000);
    await confirmAccepted(socket, target, options.confirmTimeoutMs ?? 1000);
    return new SyslogForwarder(socket, target, options.hostname);
  }

  send(line: ConsoleLine): void {
    if (this.failure !== undefined || this.socket.destroyed) return;
    const text = line.code === undefined ? line.text : `${line.code}: ${line.text}`;
    this.socket.write(
      frameOctetCounted(
        formatRfc5424({
          time: line.time,
          hostname: this.hostname,
          appName: line.service,
          procId: line.pid,
          msgId: line.code ?? '-',
          severity: line.severity,
          text,
        }),
      ),
    );
  }

  /**
   * Waits until everything sent so far has left this process, plus a short grace for a hang-up
   * or alert the server sends in return, so that `error` tells whether the lines got through.
   */
  async settle(graceMs = 50): Promise<void> {
    if (this.failure === undefined && !this.socket.destroyed) {
      await new Promise<void>((resolve) => this.socket.write(Buffer.alloc(0), () => resolve()));
    }
    await new Promise((resolve) => setTimeout(resolve, graceMs));
  }

  /** The first error seen since connecting, if the connection broke. */
  get error(): HpvsError | undefined {
    return this.failure;
  }

  /** Flushes what was sent and closes the connection; reports a connection that broke. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.socket.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.socket.destroy();
          resolve();
        }, 5000);
        this.socket.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        this.socket.end();
      });
    }
    if (this.failure !== undefined) throw this.failure;
  }

  describe(): string {
    return `${this.target.hostname}:${this.target.port}`;
  }
}

function openSocket(target: SyslogTarget, timeoutMs: number): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket;
    try {
      socket = connect({
        host: target.hostname,
        port: target.port,
        ca: target.caPem,
        ...(target.certPem === undefined ? {} : { cert: target.certPem, key: target.keyPem }),
        rejectUnauthorized: true,
        // SNI carries names only, never addresses
        ...(isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
      });
    } catch (error) {
      reject(
        new HpvsError(
          'LOGGING_FAILED',
          `env.logging.syslog: cannot use the client certificate or key (${(error as Error).message})`,
          { cause: error },
        ),
      );
      return;
    }
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new HpvsError(
          'LOGGING_FAILED',
          `no answer from the syslog server ${target.hostname}:${target.port} within ${timeoutMs / 1000} s`,
        ),
      );
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(describeTlsFailure(error, target));
    });
  });
}

function confirmAccepted(
  socket: TLSSocket,
  target: SyslogTarget,
  timeoutMs: number,
): Promise<void> {
  if (socket.getProtocol() !== 'TLSv1.3') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.off('session', onSession);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.destroy();
        reject(describeTlsFailure(error, target));
      } else resolve();
    };
    // Writing from inside the 'session' callback, while OpenSSL is still reading the ticket
    // records, corrupts the stream (the server answers with bad_record_mac); resume afterwards.
    const onSession = () => setImmediate(() => done());
    const onError = (error: Error) => done(error);
    const onClose = () =>
      done(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }));
    const timer = setTimeout(() => done(), timeoutMs);
    socket.on('session', onSession);
    socket.on('error', onError);
    socket.on('close', onClose);
    // reading makes the socket process the server's post-handshake messages and alerts
    socket.resume();
  });
}

const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function describeTlsFailure(error: unknown, target: SyslogTarget): HpvsError {
  const code = String((error as NodeJS.ErrnoException).code ?? '');
  const message = (error as Error).message ?? String(error);
  const where = `${target.hostname}:${target.port}`;
  let text: string;
  if (code === 'ECONNREFUSED')
    text = `cannot reach the syslog server ${where} (connection refused)`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    text = `cannot resolve the syslog server name ${target.hostname}`;
  else if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    text = `cannot reach the syslog server ${where} (${code})`;
  } else if (UNTRUSTED_SERVER.has(code)) {
    text = `the syslog server ${where} is not trusted: ${message} (its certificate must be issued by env.logging.syslog.server for the name ${target.hostname})`;
  } else if (/ALERT|ECONNRESET|EPIPE/.test(code) || /alert/i.test(message)) {
    text = `the syslog server ${where} refused the client certificate from env.logging.syslog.cert (${message})`;
  } else {
    text = `TLS connection to the syslog server ${where} failed: ${message}`;
  }
  return new HpvsError('LOGGING_FAILED', text, { cause: error });
}
