// Verifies N encrypted attestation bundles (default 100; RSA-4096 auditor and attestation keys)
// twice in one run: once with `hpvs-ctl attestation verify --batch`, once with the documented
// openssl procedure run per bundle from a shell loop, and prints both wall times and the ratio.
// Usage: node bench/attestation-batch.mjs [bundles] [rounds]. Build first (`npm run build`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { builtCli, countArguments, projectRoot } from './bench-setup.mjs';
import { waitedChildrenCpuMs } from './child-cpu.mjs';

const [count, rounds] = countArguments(
  'node bench/attestation-batch.mjs [bundles] [rounds]',
  100,
  3,
);
const root = projectRoot;
const bin = builtCli();

const work = mkdtempSync(join(tmpdir(), 'hpvs-bench-attestation-'));
try {
  // The generator is the test suite's own (TypeScript): bundle it for this script.
  const generator = join(work, 'generator.mjs');
  await build({
    stdin: {
      contents: [
        "export * from './test/helpers/attestation-bundle.ts';",
        "export { generateRsaKeyPair, exportPrivateKeyPem, exportPublicKeyPem } from './src/core/pki/rsa-key-pair.ts';",
        "export { issueCertificate } from './src/core/pki/issue-certificate.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: generator,
    // CommonJS dependencies (yaml) call require(); give the ESM bundle one
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const gen = await import(pathToFileURL(generator).href);

  process.stdout.write(`generating ${count} bundles (RSA-4096 keys)... `);
  const [auditor, attestation] = await Promise.all([
    gen.generateRsaKeyPair(4096),
    gen.generateRsaKeyPair(4096),
  ]);
  const now = Date.now();
  const certificate = await gen.issueCertificate({
    subject: 'CN=bench attestation',
    publicKey: attestation.publicKey,
    selfSigningKey: attestation.privateKey,
    role: 'attestation',
    notBefore: new Date(now - 86_400_000),
    notAfter: new Date(now + 365 * 86_400_000),
    hash: 'SHA-512',
  });
  const files = {
    auditorKey: join(work, 'auditor.pem'),
    certificate: join(work, 'attestation.crt'),
    attestationPublicKey: join(work, 'attestation-public.pem'),
  };
  writeFileSync(files.auditorKey, gen.exportPrivateKeyPem(auditor.privateKey), { mode: 0o600 });
  writeFileSync(files.certificate, certificate);
  writeFileSync(files.attestationPublicKey, gen.exportPublicKeyPem(attestation.publicKey));
  const bundles = join(work, 'bundles');
  for (let i = 0; i < count; i++) {
    const bundle = gen.makeRecordBundle({
      userData: gen.sampleUserData({ comment: `instance ${i}` }),
      attestationKey: attestation.privateKey,
      auditorPublicKey: auditor.publicKey,
    });
    gen.writeRecordBundle(join(bundles, `instance-${String(i).padStart(4, '0')}`), bundle);
  }
  console.log('done');

  const hpvsArgs = [
    bin,
    'attestation',
    'verify',
    '--batch',
    bundles,
    '--key',
    files.auditorKey,
    '--cert',
    files.certificate,
    '--root',
    files.certificate,
    '--no-crl',
  ];
  // IBM's documented steps for one bundle: unwrap the password with the auditor key, open the
  // record with `openssl enc -pbkdf2 -pass stdin`, verify the signature over it.
  const opensslScript = `
set -e
out="$1/out"; mkdir -p "$out"
for dir in "$1"/bundles/*/; do
  name=$(basename "$dir")
  cut -d. -f3 "$dir/se-checksums.txt.enc" | base64 -d > "$out/$name.data"
  cut -d. -f2 "$dir/se-checksums.txt.enc" | base64 -d \\
    | openssl pkeyutl -decrypt -inkey "$2" \\
    | openssl enc -d -aes-256-cbc -pbkdf2 -pass stdin -in "$out/$name.data" -out "$out/$name.txt"
  openssl dgst -sha256 -verify "$3" -signature "$dir/se-signature.bin" "$out/$name.txt" > /dev/null
done
`;
  const opensslArgs = [
    '-c',
    opensslScript,
    'bench',
    work,
    files.auditorKey,
    files.attestationPublicKey,
  ];

  const time = (command, args) => {
    const cpuStart = waitedChildrenCpuMs();
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = waitedChildrenCpuMs() - cpuStart;
    if (result.status !== 0) {
      throw new Error(`${command} failed (${result.status}): ${result.stderr}${result.stdout}`);
    }
    return { ms, cpu, stdout: result.stdout.toString() };
  };

  const first = time(process.execPath, hpvsArgs);
  if (!first.stdout.includes(`${count} bundles: ${count} passed, 0 failed`)) {
    throw new Error(`hpvs-ctl did not pass every bundle:\n${first.stdout}`);
  }
  const results = [];
  for (let round = 0; round < rounds; round++) {
    // alternate, so background noise hits both alike
    const openssl = time('sh', opensslArgs);
    rmSync(join(work, 'out'), { recursive: true, force: true });
    const hpvs = time(process.execPath, hpvsArgs);
    results.push({
      hpvs: hpvs.ms,
      openssl: openssl.ms,
      ratio: hpvs.ms / openssl.ms,
      hpvsCpu: hpvs.cpu,
      opensslCpu: openssl.cpu,
    });
  }
  const median = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  };
  for (const [index, r] of results.entries()) {
    console.log(
      `round ${index + 1}: hpvs-ctl ${r.hpvs.toFixed(0)} ms (CPU ${r.hpvsCpu.toFixed(0)} ms), openssl per bundle ${r.openssl.toFixed(0)} ms (CPU ${r.opensslCpu.toFixed(0)} ms), ratio ${r.ratio.toFixed(3)}`,
    );
  }
  console.log(
    `CPU time, median: hpvs-ctl ${median(results.map((r) => r.hpvsCpu)).toFixed(0)} ms, openssl ${median(results.map((r) => r.opensslCpu)).toFixed(0)} ms`,
  );
  console.log(
    `${count} bundles, median of ${rounds}: hpvs-ctl ${median(results.map((r) => r.hpvs)).toFixed(0)} ms, openssl ${median(results.map((r) => r.openssl)).toFixed(0)} ms, ratio ${median(results.map((r) => r.ratio)).toFixed(3)} (target <= 0.25)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
