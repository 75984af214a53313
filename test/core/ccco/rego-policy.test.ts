import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_AGENT_POLICY_TEMPLATE,
  POLICY_MARKER,
} from '../../../src/core/ccco/agent-policy-template.js';
import { decideContainer, readPolicyRules } from '../../../src/core/ccco/policy-decision.js';
import { planContainers, type PlannedContainer } from '../../../src/core/ccco/pod-plan.js';
import { exactRegex, generatePolicy } from '../../../src/core/ccco/rego-policy.js';
import { parseRego } from '../../../src/core/ccco/rego-syntax.js';
import { thrownHpvsError } from '../../helpers/expect-error.js';
import { HAS_REFERENCE, REFERENCE_SKIP_REASON, referencePath } from '../../helpers/reference.js';

const BUSYBOX = 'quay.io/prometheus/busybox:latest';
const ART_DEV = `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'abc123def456'.repeat(5)}abcd`;
const PAUSE = `quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:${'0'.repeat(64)}`;

function policyFor(manifest: string): string {
  return generatePolicy(planContainers(manifest, 'pod.yaml'), DEFAULT_AGENT_POLICY_TEMPLATE).policy;
}

function decide(policy: string, image: string, args: string[]): boolean {
  return decideContainer(readPolicyRules(policy, 'policy'), image, args).allowed;
}

describe.skipIf(!HAS_REFERENCE)(
  `the three reference pods of A7.5 (${REFERENCE_SKIP_REASON})`,
  () => {
    const pod = (name: string): string =>
      policyFor(readFileSync(referencePath('fixtures', 'hpcc-pods', name), 'utf8'));

    it('minimal-pod: one image rule after the baseline and a permissive command rule', () => {
      const policy = pod('minimal-pod.yaml');
      parseRego(policy);
      const rules = readPolicyRules(policy, 'policy');
      expect(rules.images.map((rule) => rule.regex)).toEqual([
        '^quay\\.io/openshift-release-dev/ocp-v4\\.0-art-dev@sha256:[a-f0-9]{64}$',
        '^quay\\.io/prometheus/busybox:latest$',
      ]);
      expect(policy).toContain(
        '    regex.match("^quay\\\\.io/prometheus/busybox:latest$", image_name)',
      );
      expect(policy.split('CreateContainerRequest if {').length).toBe(2);
      expect(policy).toContain(
        'allow_command(input.OCI.Annotations["io.kubernetes.cri-o.ImageName"], input.OCI.Process.Args)',
      );
      expect(decide(policy, BUSYBOX, ['anything', 'at', 'all'])).toBe(true);
      expect(decide(policy, 'docker.io/library/nginx:latest', [])).toBe(false);
    });

    it('multi-container-pod: strict rules with count 3, and no baseline hole for its art-dev image', () => {
      const policy = pod('multi-container-pod.yaml');
      const rules = readPolicyRules(policy, 'policy');
      expect(rules.images).toHaveLength(3);
      const strict = rules.commands.filter((rule) => rule.args !== undefined);
      expect(strict.map((rule) => rule.args)).toEqual([
        ['/bin/sh', '-c', "echo 'Initializing...' && sleep 5"],
        ['/bin/bash', '-c', "echo 'Hello $USER' && cat /etc/hosts | grep localhost"],
      ]);
      expect(policy).toContain(
        '    count(args) == 3\n    args[0] == "/bin/bash"\n    args[1] == "-c"\n    args[2] == "echo \'Hello $USER\' && cat /etc/hosts | grep localhost"\n}',
      );
      expect(
        decide(policy, ART_DEV, [
          '/bin/bash',
          '-c',
          "echo 'Hello $USER' && cat /etc/hosts | grep localhost",
        ]),
      ).toBe(true);
      // IBM's permissive baseline admits this; hpvs-ctl's does not for an image the pod lists.
      expect(decide(policy, ART_DEV, ['/bin/sh', '-c', 'curl evil | sh'])).toBe(false);
      expect(decide(policy, PAUSE, ['/usr/bin/pod'])).toBe(true);
      expect(decide(policy, BUSYBOX, ['/bin/sh', '-c', 'echo other'])).toBe(false);
    });

    it('kata-cc-pod: one deduplicated image rule, the script and the quoted argument kept exactly', () => {
      const policy = pod('kata-cc-pod.yaml');
      const rules = readPolicyRules(policy, 'policy');
      expect(rules.images.map((rule) => rule.regex)).toHaveLength(2);
      expect(rules.commands.filter((rule) => rule.args).map((rule) => rule.args)).toEqual([
        ['/bin/sh', '-c', 'echo "Check resolv.conf"\ncat /etc/resolv.conf\n'],
        [
          '/bin/sh',
          '-c',
          'sleep 90',
          'echo "Container started"; sleep 90; echo "Crashing now"; exit 1',
        ],
      ]);
      expect(policy.indexOf('allow_image(image_name)')).toBeGreaterThan(
        policy.indexOf('default CreateSandboxRequest'),
      );
      expect(policy).not.toContain('`');
    });
  },
);

describe('policy generation', () => {
  const podSpec = `containers:\n  - name: web\n    image: ${BUSYBOX}\n    command: [/bin/sh, -c, "sleep 1"]\n`;
  const indent = (text: string, spaces: number): string =>
    text
      .split('\n')
      .map((line) => (line ? ' '.repeat(spaces) + line : line))
      .join('\n');
  const manifests: Record<string, string> = {
    Pod: `apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n${indent(podSpec, 2)}`,
    Deployment: `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n${indent(podSpec, 6)}`,
    StatefulSet: `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n${indent(podSpec, 6)}`,
    DaemonSet: `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n${indent(podSpec, 6)}`,
    Job: `apiVersion: batch/v1\nkind: Job\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n${indent(podSpec, 6)}`,
    CronJob: `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${indent(podSpec, 10)}`,
  };

  it.each(Object.keys(manifests))('reads the pod template of a %s', (kind) => {
    const rules = readPolicyRules(policyFor(manifests[kind]!), 'policy');
    expect(rules.commands.filter((rule) => rule.args).map((rule) => rule.args)).toEqual([
      ['/bin/sh', '-c', 'sleep 1'],
    ]);
  });

  it('reads every document, skipping other kinds', () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n${manifests.Deployment}`;
    expect(planContainers(text, 'x.yaml').map((entry) => entry.owner)).toEqual(['Deployment/web']);
  });

  it('refuses manifests without a container image, and empty input', () => {
    expect(thrownHpvsError(() => planContainers('kind: Service\n', 'x.yaml')).message).toMatch(
      /no container with an image/,
    );
    expect(thrownHpvsError(() => planContainers('  \n', 'x.yaml')).code).toBe('INPUT_EMPTY');
    expect(
      thrownHpvsError(() =>
        planContainers('kind: Pod\nspec: {containers: [{image: ""}]}\n', 'x.yaml'),
      ).code,
    ).toBe('YAML_INVALID');
  });

  it('keeps hostile arguments and images exact and the policy valid (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
        fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        (image, args) => {
          const container: PlannedContainer = {
            owner: 'Pod/p',
            name: 'c\n`x',
            image,
            init: false,
            args,
            env: [],
          };
          const { policy } = generatePolicy([container], DEFAULT_AGENT_POLICY_TEMPLATE);
          parseRego(policy);
          expect(decide(policy, image, args)).toBe(true);
          expect(decide(policy, image, [...args, 'x'])).toBe(false);
          expect(decide(policy, `${image}x`, args)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('escapes every regex metacharacter, ^ and $ included', () => {
    const image = 'a.b*c+d?e(f)g[h]i{1}j|k^l$m\\n';
    expect(new RegExp(exactRegex(image), 'u').test(image)).toBe(true);
    expect(new RegExp(exactRegex(image), 'u').test(image.replace('.', 'X'))).toBe(false);
  });

  it('warns about short image names CRI-O reports in full', () => {
    const container: PlannedContainer = {
      owner: 'Pod/p',
      name: 'c',
      image: 'busybox',
      init: false,
      env: [],
    };
    expect(generatePolicy([container], DEFAULT_AGENT_POLICY_TEMPLATE).warnings[0]).toMatch(
      /no registry/,
    );
  });

  it('appends to a template without the marker, and refuses an invalid template with its position', () => {
    const container: PlannedContainer = {
      owner: 'Pod/p',
      name: 'c',
      image: BUSYBOX,
      init: false,
      env: [],
    };
    const template = DEFAULT_AGENT_POLICY_TEMPLATE.replace(POLICY_MARKER, '# custom');
    const { policy } = generatePolicy([container], template);
    expect(policy).toContain(
      '# Auto-generated rules from pod specification\nCreateContainerRequest if {',
    );
    const error = thrownHpvsError(() =>
      generatePolicy([container], 'package agent_policy\n\nallow if {\n  x == "a\n}\n', 't.rego'),
    );
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(/^t\.rego:4:/);
    expect(
      thrownHpvsError(() => generatePolicy([container], 'package other\n', 't.rego')).message,
    ).toMatch(/agent_policy/);
  });
});

describe('the Rego parser', () => {
  const valid = [
    'package p\n\ndefault allow := false\n\nallow if {\n    input.x == "a"\n    count(input.y) > 1\n}\n',
    'package p\nimport rego.v1\n\nf(x) := y if {\n  y := [a | some a in x; a > 1]\n}\ns contains v if { some v in input.list }\n',
    'package p\nallow { input.a[_] == {"k": [1, 2.5, -3], "s": {1}} }\nmsg = "x" { true } else = "y" { false }\n',
    'package p\nr := `raw\nstring with "quotes"`\nq := {k: v | some k, v in input.o}\n',
  ];
  it.each(valid)('accepts valid policy %#', (policy) =>
    expect(() => parseRego(policy)).not.toThrow(),
  );

  const invalid: [string, RegExp][] = [
    ['package p\nx := "a\u0001b"\n', /control character/],
    ['package p\nx := "abc\n', /unterminated string/],
    ['package p\nallow if {\n  true\n', /unclosed/],
    ['package p\nallow if {\n  args[0] == "a" "b"\n}\n', /end of the line/],
    ['x := 1\n', /expected "package"/],
    ['package p\nx := "\\q"\n', /bad escape/],
    [`package p\nx := ${'['.repeat(100_000)}`, /nested more than 200 levels/],
  ];
  it.each(invalid)('rejects %j', (policy, message) => {
    const error = thrownHpvsError(() => parseRego(policy));
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toMatch(message);
  });
});
