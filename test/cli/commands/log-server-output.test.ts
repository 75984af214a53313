import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../helpers/rsyslog.js';
import { CLI, runCli } from '../../helpers/run-cli.js';
import { useTempDir } from '../../helpers/temp-dir.js';
import { story } from '../../../scripts/lib/story.mjs';

const tempDir = useTempDir('hpvs-ctl-log-server-');
let tls: string;

beforeAll(async () => {
  tls = join(tempDir(), 'tls');
  const made = await runCli(story.certsSyslog({ ip: '127.0.0.1', bits: 2048, outDir: tls }));
  expect(made.code, made.stderr).toBe(0);
}, 60_000);

/** Sends LF-framed syslog messages over mutual TLS and waits until the server has them. */
async function send(port: number, messages: string[]): Promise<void> {
  const socket = connect({
    host: '127.0.0.1',
    port,
    ca: readFileSync(join(tls, 'ca.crt')),
    cert: readFileSync(join(tls, 'client.crt')),
    key: readFileSync(join(tls, 'client-key.pem')),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  await new Promise<void>((resolve) => socket.end(messages.map((m) => `${m}\n`).join(''), resolve));
  await new Promise((resolve) => socket.once('close', resolve));
}

describe('hpvs-ctl emulator log-server output', () => {
  it.each([[[]], [['--out', '-']]])(
    'with %j prints what a client sends, control characters escaped, one line per message',
    async (extra: string[]) => {
      const port = await freeLoopbackPort();
      const server = spawn(
        process.execPath,
        [
          CLI,
          'emulator',
          'log-server',
          '--port',
          String(port),
          '--ca',
          join(tls, 'ca.crt'),
          '--cert',
          join(tls, 'server.crt'),
          '--key',
          join(tls, 'server-key.pem'),
          ...extra,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        server.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('listening on')) resolve();
        });
        void exited.then(() => reject(new Error(`log-server exited: ${stderr}`)));
      });
      await send(port, [
        '<14>1 2026-12-01T00:00:00Z host app - - - hello \u001b[2J\u001b[31mred\u009b0m',
        '<14>1 2026-12-01T00:00:00Z host app - - - bidi \u202eesrever\u202c end',
      ]);
      server.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stdout).not.toMatch(/[\u001b\u009b\u202e]/);
      expect(stdout.trimEnd().split('\n')).toEqual([
        expect.stringMatching(/ hello \\x1b\[2J\\x1b\[31mred\\x9b0m$/),
        expect.stringMatching(/ bidi \\u202eesrever\\u202c end$/),
      ]);
    },
    30_000,
  );
});
