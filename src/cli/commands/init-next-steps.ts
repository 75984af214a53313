import type { NextStep } from '../../app/next-steps.js';

/** A starter project's next step as `hpvs-ctl init` says it: with the command line to run. */
export function cliNextStep(step: NextStep): string {
  if (typeof step === 'string') return step;
  switch (step.command) {
    case 'encrypt-workload':
      return `encrypt it for the HPCR image: hpvs-ctl encrypt workload.yaml --platform ${step.platform ?? '<hpvs|ccrt|ccrv>'} --out workload.enc (or --cert <encryption certificate>)`;
    case 'encrypt-ccco-workload':
      return 'hand workload.yaml to the Workload Deployer encrypted: hpvs-ctl encrypt workload.yaml --platform ccco --out workload.enc';
    case 'configure-rsyslog':
      return `configure rsyslog on ${step.host}:${step.port} with ${step.folder}/ca.crt, server.crt and server-key.pem (x509/certvalid; see hpvs-ctl certs syslog --help)`;
    case 'sign-contract':
      return 'sign the contract with signing-private.pem: hpvs-ctl contract --sign-key signing-private.pem ...';
    case 'verify-attestation':
      return 'keep attestation-private.pem to decrypt se-checksums.txt.enc: hpvs-ctl attestation verify ...';
    case 'seal-workload-values':
      return `seal values for the workload: hpvs-ctl secrets seal --type workload --in FILE --encryption-key ${step.encryptionKey} --signing-key ${step.signingKey}`;
    case 'regenerate-policy':
      return `${step.policy} admits exactly the containers of ${step.pod}; after changing the pod: hpvs-ctl policy generate --pod ${step.pod} --base64 (into regoValidator.policy)`;
    case 'build-ccco-contract':
      return 'hpvs-ctl contract --platform ccco --workload workload.enc --env env.yaml --encrypt --sign-key signing-private.pem --out user-data.yaml';
    case 'build-initdata':
      return `hpvs-ctl initdata build --contract user-data.yaml --pod ${step.pod} (the io.katacontainers.config.hypervisor.cc_init_data annotation)`;
  }
}
