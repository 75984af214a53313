import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';

/**
 * A real rsyslogd receiving TLS syslog on a loopback port, the way the seed document sets one
 * up for HPVS log forwarding (imtcp + gtls, mutual authentication). Each server runs in the
 * foreground with its own config, pid file and work directory, so tests never touch the
 * system's syslog.
 */

export const RSYSLOGD = '/usr/sbin/rsyslogd';

const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/rsyslog',
  '/usr/lib/aarch64-linux-gnu/rsyslog',
  '/usr/lib/s390x-linux-gnu/rsyslog',
  '/usr/lib/rsyslog',
  '/usr/lib64/rsyslog',
];

/** Why rsyslog tests cannot run here, or undefined when they can. */
export function rsyslogSkipReason(): string | undefined {
  if (!existsSync(RSYSLOGD))
    return `${RSYSLOGD} not found (apt-get install rsyslog rsyslog-gnutls)`;
  if (!MODULE_DIRS.some((dir) => existsSync(join(dir, 'lmnsd_gtls.so')))) {
    return 'the rsyslog gtls stream driver (lmnsd_gtls.so) is missing (apt-get install rsyslog-gnutls)';
  }
  return undefined;
}

export interface RsyslogOptions {
  /** A private folder for the config, pid file, work directory and output. */
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** `x509/certvalid` (the seed's choice) unless told otherwise. */
  authMode?: string;
  /** rsyslog output template; the default writes RFC 5424 lines so tests can parse them. */
  template?: string;
}

export interface RsyslogServer {
  port: number;
  /** Where rsyslogd writes every message it accepts (and its own diagnostics). */
  outputFile: string;
  readOutput(): string;
  /** Resolves with the output once `text` appears in it; rejects after `timeoutMs`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startRsyslog(options: RsyslogOptions): Promise<RsyslogServer> {
  const port = await freeLoopbackPort();
  const workDir = join(options.dir, 'work');
  mkdirSync(workDir, { recursive: true });
  const outputFile = join(options.dir, 'messages.log');
  writeFileSync(outputFile, '');
  const configFile = join(options.dir, 'rsyslog.conf');
  writeFileSync(
    configFile,
    [
      `global(workDirectory="${workDir}"`,
      `  defaultNetstreamDriver="gtls"`,
      `  defaultNetstreamDriverCAFile="${options.caFile}"`,
      `  defaultNetstreamDriverCertFile="${options.certFile}"`,
      `  defaultNetstreamDriverKeyFile="${options.keyFile}")`,
      `module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="${options.authMode ?? 'x509/certvalid'}")`,
      `input(type="imtcp" address="127.0.0.1" port="${port}")`,
      `*.* action(type="omfile" file="${outputFile}" template="${options.template ?? 'RSYSLOG_SyslogProtocol23Format'}")`,
      '',
    ].join('\n'),
  );
  const child = spawn(RSYSLOGD, ['-n', '-f', configFile, '-i', join(options.dir, 'rsyslogd.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let diagnostics = '';
  child.stdout!.on('data', (chunk: Buffer) => (diagnostics += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (diagnostics += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForListener(port, child, () => diagnostics);
  } catch (error) {
    await stopChild(child, exited);
    throw error;
  }
  const readOutput = () => readFileSync(outputFile, 'utf8');
  return {
    port,
    outputFile,
    readOutput,
    async waitForOutput(text, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const output = readOutput();
        if (output.includes(text)) return output;
        if (Date.now() > deadline) {
          throw new Error(
            `rsyslogd did not log "${text}" within ${timeoutMs} ms; output:\n${output}\n${diagnostics}`,
          );
        }
        await sleep(50);
      }
    },
    stop: () => stopChild(child, exited),
  };
}

async function waitForListener(
  port: number,
  child: ChildProcess,
  diagnostics: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`rsyslogd exited with ${child.exitCode}: ${diagnostics()}`);
    }
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`rsyslogd did not listen on 127.0.0.1:${port}: ${diagnostics()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface TlsSendResult {
  /** The TLS handshake completed from the client's side. */
  connected: boolean;
  /** With `keepOpen`: the server closed the connection (it refused the client). */
  closedByServer?: boolean;
  /** The error the connection ended with, if any (a TLS alert or a reset). */
  error?: Error;
}

/**
 * Sends syslog messages (octet-counted framing, RFC 6587) over TLS with a client certificate.
 * By default the client half-closes after writing and resolves when the connection is closed.
 * With `keepOpen` it never closes its side and resolves only when the server closes the
 * connection, which is how rsyslog refuses a client whose certificate it rejects: with TLS 1.3
 * the server checks the client certificate after the client considers the handshake done, and
 * it may or may not send an alert first, so the close is the one reliable sign. A server that
 * accepted the client would keep the connection open; after `timeoutMs` the client gives up
 * and reports `closedByServer: false`.
 */
export function sendSyslogOverTls(params: {
  port: number;
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
  messages: string[];
  servername?: string;
  keepOpen?: boolean;
  timeoutMs?: number;
}): Promise<TlsSendResult> {
  return new Promise((resolve) => {
    let connected = false;
    let gaveUp = false;
    const socket = connectTls({
      host: '127.0.0.1',
      port: params.port,
      ca: params.ca,
      cert: params.cert,
      key: params.key,
      // the server certificate is checked against the CA and its subjectAltName: 127.0.0.1, or
      // `servername` for a DNS name
      ...(params.servername === undefined ? {} : { servername: params.servername }),
    });
    const timer = params.keepOpen
      ? setTimeout(() => {
          gaveUp = true;
          socket.destroy();
        }, params.timeoutMs ?? 10_000)
      : undefined;
    let failure: Error | undefined;
    socket.once('secureConnect', () => {
      connected = true;
      const frames = params.messages
        .map((message) => `${Buffer.byteLength(message)} ${message}`)
        .join('');
      if (params.keepOpen) socket.write(frames);
      else socket.end(frames);
    });
    socket.on('data', () => undefined);
    socket.once('error', (error) => (failure = error));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({
        connected,
        ...(params.keepOpen ? { closedByServer: !gaveUp } : {}),
        ...(failure === undefined ? {} : { error: failure }),
      });
    });
  });
}
