import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCertificate } from '../../../src/core/pki/issue-certificate.js';
import { sharedRsa4096 } from '../../helpers/shared-rsa-keys.js';

const DAY = 24 * 60 * 60 * 1000;

/** Files the contract-authoring CLI tests share: keys, certificates, seeds, a compose folder. */
export interface AuthoringFiles {
  dir: string;
  hpcrKey: string;
  hpcrCert: string;
  expiredCert: string;
  signKey: string;
  signPub: string;
  caCert: string;
  caKey: string;
  workloadSeed: string;
  envSeed: string;
  shortSeed: string;
  composeDir: string;
}

export const IMAGE = `nginx@sha256:${'a'.repeat(64)}`;

export async function writeAuthoringFiles(dir: string): Promise<AuthoringFiles> {
  // the runtime's key has IBM's 4096 bits (smaller encryption keys draw a warning): the run's
  // shared one, as a 4096-bit key takes a second and a half to make
  const hpcr = sharedRsa4096('authoring-runtime');
  const [sign, ca] = [2048, 2048].map((modulusLength) =>
    generateKeyPairSync('rsa', { modulusLength }),
  );
  const now = Date.now();
  const path = (name: string) => join(dir, name);
  const write = (name: string, data: string) => {
    writeFileSync(path(name), data);
    return path(name);
  };
  const selfSigned = (
    subject: string,
    role: 'encryption' | 'root-ca',
    from: number,
    to: number,
    key = hpcr,
  ) =>
    issueCertificate({
      subject,
      publicKey: key.publicKey,
      role,
      notBefore: new Date(now + from * DAY),
      notAfter: new Date(now + to * DAY),
      selfSigningKey: key.privateKey,
    });
  mkdirSync(path('app'));
  writeFileSync(path('app/docker-compose.yml'), `services:\n  web:\n    image: ${IMAGE}\n`);
  return {
    dir,
    hpcrKey: write('hpcr.key', hpcr.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
    hpcrCert: write('hpcr.crt', await selfSigned('CN=hpcr encrypt', 'encryption', -1, 365)),
    expiredCert: write('expired.crt', await selfSigned('CN=old encrypt', 'encryption', -30, -1)),
    signKey: write('sign.pem', sign!.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
    signPub: write('sign.pub', sign!.publicKey.export({ format: 'pem', type: 'spki' }) as string),
    caCert: write('ca.crt', await selfSigned('CN=Deployer CA', 'root-ca', -1, 365, ca!)),
    caKey: write('ca.key', ca!.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string),
    workloadSeed: write('workload.seed', 'workload-seed-0123456789\n'),
    envSeed: write('env.seed', 'env-seed-0123456789!@#\n'),
    shortSeed: write('short.seed', 'too-short\n'),
    composeDir: path('app'),
  };
}
