import { input, worded, wordedText, type WordedText, type Wording } from '../../core/wording.js';

/**
 * Which containers.conf podman runs with, and what its failures mean. `system` leaves podman as
 * the host configures it (including a `CONTAINERS_CONF` the user set). `sandbox` is the
 * configuration sandboxed hosts need (containers inside containers, CI machines): runc, because
 * crun refuses a hybrid cgroup layout; cgroupfs, because there is no systemd to ask for
 * cgroups; no default ulimits, because setting RLIMIT_NOFILE/NPROC is not permitted there; and
 * a file events log, because there is no journald. Anything else is the path of a
 * containers.conf to use.
 */
export type PodmanConfigChoice = 'system' | 'sandbox' | { file: string };

export const SANDBOX_CONTAINERS_CONF = [
  '# the sandbox configuration of the hpvs-ctl emulator',
  '[containers]',
  'default_ulimits = []',
  '[engine]',
  'runtime = "runc"',
  'cgroup_manager = "cgroupfs"',
  'events_logger = "file"',
  '',
].join('\n');

export function parsePodmanConfigChoice(value: string): PodmanConfigChoice {
  return value === 'system' || value === 'sandbox' ? value : { file: value };
}

export function describePodmanConfig(choice: PodmanConfigChoice): string {
  if (choice === 'system') return 'the host containers.conf';
  if (choice === 'sandbox') return 'the sandbox containers.conf (runc, cgroupfs, no ulimits)';
  return `containers.conf ${choice.file}`;
}

const SANDBOX_HINT = wordedText(
  worded`${input('sandbox-podman-config')} (runc, cgroupfs, no default ulimits)`,
);

/**
 * One line saying why a podman command failed and what to do, from its standard error. The
 * known failure modes of sandboxed hosts and registries come first; otherwise podman's last
 * `Error:` line. Worded: the sandbox hint names the podman configuration the caller chooses,
 * which the CLI says as its flag (quote it with worded`...${explanation}`).
 */
export function explainPodmanFailure(stderr: string, choice: PodmanConfigChoice): WordedText {
  return wordedText(explanation(stderr, choice));
}

function explanation(stderr: string, choice: PodmanConfigChoice): Wording {
  const text = stderr.replace(/\s+/g, ' ');
  const sandbox = choice === 'sandbox' ? '' : wordedText(worded`; ${SANDBOX_HINT}`);
  if (/error setting rlimit|setrlimit.*operation not permitted/i.test(text))
    return worded`this host does not permit setting container resource limits (RLIMIT_NOFILE/NPROC)${sandbox}`;
  if (/crun.*cgroup|cgroup.*crun/i.test(text) && /crun/.test(text))
    return worded`crun refuses this host's cgroup layout${sandbox || '; the sandbox configuration uses runc'}`;
  if (/OCI runtime "?([\w-]+)"? not found|default OCI runtime .* not found/.test(text)) {
    const name = /OCI runtime "?([\w-]+)"? not found/.exec(text)?.[1] ?? 'the configured runtime';
    return [
      `the OCI runtime ${name} is not installed (apt-get install ${name === 'runc' || name === 'crun' ? name : 'runc'})`,
    ];
  }
  if (/systemd.*(cgroup|dbus)|dbus.*systemd|cgroup manager.*systemd/i.test(text))
    return worded`podman cannot use systemd to manage cgroups here${sandbox}`;
  if (/journald/i.test(text))
    return worded`podman cannot write its events to journald here${sandbox}`;
  return [plainExplanation(stderr, text)];
}

function plainExplanation(stderr: string, text: string): string {
  if (/finding pause binary|catatonit/i.test(text))
    return 'podman cannot build its pod infra image: catatonit is missing (apt-get install catatonit)';
  if (/x509: certificate|certificate signed by unknown authority/i.test(text))
    return 'the registry certificate is not trusted: give its CA in env.cacerts';
  if (/unauthorized|authentication required|denied/i.test(text))
    return 'the registry refused the pull (unauthorized): check the credentials in workload.auths (or env.auths)';
  if (/manifest unknown|not found: manifest/i.test(text))
    return 'the registry does not know this digest (manifest unknown)';
  if (/connection refused|no such host|i\/o timeout/i.test(text))
    return `cannot reach the registry (${/connection refused|no such host|i\/o timeout/i.exec(text)![0]})`;
  if (/address already in use|port is already allocated/i.test(text))
    return 'a published host port is already in use';
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const last = [...lines].reverse().find((line) => line.startsWith('Error:')) ?? lines.at(-1);
  return (last ?? 'no message').replace(/^Error:\s*/, '');
}
