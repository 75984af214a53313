import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogServer } from '../../src/emulator/log-server.js';
import { receiveLogs } from '../../src/emulator/receive-logs.js';
import { frameOctetCounted } from '../../src/emulator/syslog-format.js';
import { openAppendOutput } from '../../src/node/append-output.js';
import {
  createSyslogCertificates,
  type SyslogCertificates,
} from '../../src/core/pki/syslog-certificates.js';
import { useTempDir } from '../helpers/temp-dir.js';

const tempDir = useTempDir('hpvs-receive-logs-');
let tls: SyslogCertificates;

beforeAll(async () => {
  tls = await createSyslogCertificates({ ip: '127.0.0.1', now: new Date(), bits: 2048 });
}, 60_000);

function serverOptions() {
  return {
    port: 0,
    caPem: tls.caCertificatePem,
    certPem: tls.serverCertificatePem,
    keyPem: tls.serverPrivateKeyPem,
  };
}

/** A syslog client with the deployer's certificate; resolves once the handshake is done. */
function client(port: number, options: { allowHalfOpen?: boolean } = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca: tls.caCertificatePem,
      cert: tls.clientCertificatePem,
      key: tls.clientPrivateKeyPem,
      ...options,
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: TLSSocket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

describe('receiveLogs', () => {
  it('appends every message as one line to a 0600 file, and stops when asked', async () => {
    const out = join(tempDir(), 'received.log');
    let stop!: () => void;
    let listening!: (server: LogServer) => void;
    const started = new Promise<LogServer>((resolve) => (listening = resolve));
    const running = receiveLogs({
      ...serverOptions(),
      output: await openAppendOutput(out),
      line: (message) => `${message}\n`,
      stop: new Promise<void>((resolve) => (stop = resolve)),
      onListening: listening,
    });
    const server = await started;
    const socket = await client(server.port);
    socket.write(frameOctetCounted('first message'));
    socket.end(frameOctetCounted('second message'));
    await closed(socket);
    stop();
    await running;
    expect(readFileSync(out, 'utf8')).toBe('first message\nsecond message\n');
    expect(statSync(out).mode & 0o777).toBe(0o600);
  });

  it.skipIf(!existsSync('/dev/full'))(
    'stops on a write failure, closes the connections and rethrows the failure as one line',
    async () => {
      let listening!: (server: LogServer) => void;
      const started = new Promise<LogServer>((resolve) => (listening = resolve));
      const running = receiveLogs({
        ...serverOptions(),
        // /dev/full opens fine and fails every write with ENOSPC, as a full disk does
        output: await openAppendOutput('/dev/full'),
        line: (message) => `${message}\n`,
        stop: new Promise<void>(() => undefined),
        onListening: listening,
      });
      const outcome = running.then(
        () => undefined,
        (error: unknown) => error,
      );
      const server = await started;
      const socket = await client(server.port);
      socket.write(frameOctetCounted('lost message'));
      await closed(socket);
      expect(await outcome).toMatchObject({
        code: 'OUTPUT_FAILED',
        message: '/dev/full: cannot append (no space left on the device)',
      });
    },
  );

  it('removes the output it created when the server cannot start', async () => {
    const out = join(tempDir(), 'never.log');
    const busy = await LogServer.start({ ...serverOptions(), onMessage: () => undefined });
    try {
      await expect(
        receiveLogs({
          ...serverOptions(),
          port: busy.port,
          output: await openAppendOutput(out),
          line: (message) => `${message}\n`,
          stop: new Promise<void>(() => undefined),
        }),
      ).rejects.toMatchObject({ code: 'LOGGING_FAILED' });
      expect(existsSync(out)).toBe(false);
    } finally {
      await busy.close();
    }
  });
});

describe('openAppendOutput', () => {
  it('says in one line why a path cannot be appended to', async () => {
    const folder = join(tempDir(), 'a-folder');
    mkdirSync(folder);
    for (const [path, cause] of [
      [join(tempDir(), 'missing', 'x.log'), 'its folder does not exist'],
      [folder, 'it is a folder'],
    ] as const) {
      await expect(openAppendOutput(path)).rejects.toMatchObject({
        code: 'OUTPUT_FAILED',
        message: `${path}: cannot open for appending (${cause})`,
      });
    }
  });
});

describe('LogServer.close', () => {
  it('cuts off a client that never answers the close, instead of waiting for ever', async () => {
    const server = await LogServer.start({ ...serverOptions(), onMessage: () => undefined });
    // a half-open client keeps its side open after the server's close_notify and FIN
    const socket = await client(server.port, { allowHalfOpen: true });
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    await server.close();
    await ended;
    socket.destroy();
  });
});
