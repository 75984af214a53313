import type { Command } from '@commander-js/extra-typings';
import { registerCertsDownload } from './certs-download.js';
import { registerCertsGet } from './certs-get.js';
import { registerCertsList } from './certs-list.js';
import { registerCertsSyslog } from './certs-syslog.js';
import { registerCertsVerify } from './certs-verify.js';

/** The `certs` group: each subcommand lives in its own file and registers itself here. */
export function registerCerts(program: Command): void {
  const certs = program
    .command('certs')
    .description(
      "Create and check the certificates around a contract, and find IBM's encryption certificates.",
    );
  registerCertsSyslog(certs);
  registerCertsVerify(certs);
  registerCertsList(certs);
  registerCertsGet(certs);
  registerCertsDownload(certs);
}
