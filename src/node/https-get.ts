import { request } from 'node:https';
import { rootCertificates } from 'node:tls';
import { HpvsError } from '../core/errors.js';

export interface HttpsGetOptions {
  /** Extra trust anchors (PEM) besides Node's bundled roots; verification is never turned off. */
  extraCa?: readonly string[];
  /** The whole exchange, connection to last byte, must finish within this time. */
  timeoutMs: number;
  /** Bodies larger than this are refused while they arrive. */
  maxBytes: number;
}

/**
 * GETs an https:// URL and returns the body of a 200 answer. Everything else (another
 * status, a redirect, a TLS failure, no answer in time, an oversized body) is a one-line
 * DOWNLOAD_FAILED naming the URL. The server's words are never echoed.
 */
export function httpsGet(url: string, options: HttpsGetOptions): Promise<Buffer> {
  const target = new URL(url);
  if (target.protocol !== 'https:') {
    return Promise.reject(new HpvsError('USAGE', `${url}: only https:// URLs are fetched`));
  }
  const fail = (message: string, cause?: unknown) =>
    new HpvsError('DOWNLOAD_FAILED', `${url}: ${message}`, { cause });
  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: 'GET',
      ...(options.extraCa?.length ? { ca: [...rootCertificates, ...options.extraCa] } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(fail(`no complete answer within ${options.timeoutMs / 1000} s`));
    }, options.timeoutMs);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      outcome();
    };
    req.on('error', (error) => {
      settle(() =>
        reject(
          error instanceof HpvsError
            ? error
            : fail(
                `request failed (${(error as NodeJS.ErrnoException).code ?? error.message})`,
                error,
              ),
        ),
      );
    });
    req.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (status !== 200) {
        response.resume();
        req.destroy();
        settle(() =>
          reject(
            fail(
              `HTTP ${status}${status === 404 ? ' (not found: is the version published?)' : ''}`,
            ),
          ),
        );
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy(fail(`the answer is larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => settle(() => resolve(Buffer.concat(chunks))));
      response.on('error', (error) => settle(() => reject(fail('the answer was cut off', error))));
    });
    req.end();
  });
}
