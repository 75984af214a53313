import type { PlatformName } from '../platforms/platforms.js';

/** One of IBM's published contract encryption certificates, as the bundled catalogue holds it. */
export interface CatalogueEntry {
  platform: PlatformName;
  /** The runtime version the certificate is published for (from IBM's file name). */
  version: string;
  /** IBM's file name. */
  file: string;
  /** Upper-case hex, as openssl prints it. */
  serial: string;
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** Lower-case hex SHA-256 of the DER certificate (its fingerprint). */
  sha256: string;
  /** The subject's CN. */
  subject: string;
  pem: string;
}
