import type { AddressInfo, Socket } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { assertCurrent, certificatesOf } from '../core/crypto/tls-material.js';
import { HpvsError } from '../core/errors.js';
import { SyslogFrameDecoder } from './syslog-format.js';

export interface LogServerOptions {
  host?: string;
  /** 0 picks a free port; `LogServer.port` tells which. */
  port: number;
  caPem: string;
  /** Names the CA file in messages. */
  caSource?: string;
  certPem: string;
  keyPem: string;
  /** Receives each syslog message (the RFC 5424 text, without framing). */
  onMessage: (message: string, peer: string) => void;
  /** Receives connection events and refusals, for the operator. */
  onEvent?: (event: string) => void;
  /** When the CA certificate must be valid; the current time by default. */
  now?: Date;
}

const CLOSE_GRACE_MS = 2000;

/**
 * A TLS syslog receiver that only talks to clients presenting a certificate issued by the
 * given CA (what rsyslog calls x509/certvalid). It reads octet-counted and LF-framed messages.
 */
export class LogServer {
  // every TCP connection, also those still in the TLS handshake when the server closes
  private readonly connections = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<TLSSocket>,
    readonly host: string,
    readonly port: number,
  ) {
    server.on('connection', (socket: Socket) => {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  static async start(options: LogServerOptions): Promise<LogServer> {
    const host = options.host ?? '127.0.0.1';
    // node would take a CA file without any certificate and then refuse every client
    const caSource = options.caSource ?? 'the CA file';
    assertCurrent(
      certificatesOf({ pem: options.caPem, source: caSource }, 'CA'),
      options.now ?? new Date(),
      caSource,
    );
    const event = options.onEvent ?? (() => undefined);
    let server: Server;
    try {
      server = createServer({
        ca: options.caPem,
        cert: options.certPem,
        key: options.keyPem,
        requestCert: true,
        rejectUnauthorized: true,
      });
    } catch (error) {
      throw new HpvsError(
        'KEY_INVALID',
        `cannot use the server certificate or key: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const sockets = new Set<TLSSocket>();
    server.on('secureConnection', (socket) => {
      sockets.add(socket);
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      const subject = socket.getPeerCertificate().subject;
      event(`connection from ${peer} (client ${subject?.CN ?? 'unknown'})`);
      const decoder = new SyslogFrameDecoder();
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const message of decoder.push(chunk)) options.onMessage(message, peer);
        } catch (error) {
          event(`dropping ${peer}: ${(error as Error).message}`);
          socket.destroy();
        }
      });
      socket.on('end', () => {
        for (const message of decoder.flush()) options.onMessage(message, peer);
        socket.end();
      });
      socket.on('error', (error) => event(`${peer}: ${error.message}`));
      socket.on('close', () => sockets.delete(socket));
    });
    server.on('tlsClientError', (error, socket) => {
      event(`refused ${socket.remoteAddress ?? '?'}: ${error.message}`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new HpvsError(
            'LOGGING_FAILED',
            `cannot listen on ${host}:${options.port} (${error.code ?? error.message})`,
            { cause: error },
          ),
        );
      });
      server.listen(options.port, host, () => resolve());
    });
    return new LogServer(server, sockets, host, (server.address() as AddressInfo).port);
  }

  /**
   * Stops accepting, lets open connections finish their frames, then closes them; a client
   * that does not answer the close within `CLOSE_GRACE_MS` is cut off, so stopping is bounded.
   */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      const cutOff = setTimeout(() => {
        for (const socket of this.connections) socket.destroy();
      }, CLOSE_GRACE_MS);
      this.server.close(() => {
        clearTimeout(cutOff);
        resolve();
      });
      for (const socket of this.sockets) socket.end();
    });
  }
}
