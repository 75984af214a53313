import type { ArchiveEntry } from '../archive/archive-entry.js';
import { HpvsError } from '../errors.js';
import { decodeUtf8Exactly } from '../text/utf8-text.js';
import { COMPOSE_FILE_NAMES } from './compose-warnings.js';
import { planCompose } from './compose-plan.js';
import { checkPorts, type PlanFindings, type VolumeMountPoint } from './container-plan.js';
import { signedImages } from './image-references.js';
import { renderTemplates, substituteCompose } from './interpolation.js';
import { collectConfigMaps, planPod } from './play-plan.js';
import { openWorkloadArchive, topLevelYamlFiles } from './workload-archive.js';
import { runtimeYaml } from './runtime-yaml.js';

export interface ContainerPlan extends PlanFindings {
  kind: 'compose' | 'play';
  /** The folder, below the runtime's work folder, holding the files the runtime reads. */
  folder: 'compose' | 'play';
  /** compose: the compose file; play: the pod YAML files, in order; relative to `folder`. */
  files: string[];
  /** What an engine reads from `folder`: the extracted archive, or the rendered play file. */
  contents: { archive: ArchiveEntry[] } | { rendered: string };
}

/**
 * Plans a decrypted, validated workload: `environment` is `workload.env` overlaid with
 * `env.env`, `volumes` the contract volumes' mount points.
 */
export async function planContainers(
  workload: Record<string, unknown>,
  environment: Record<string, string>,
  volumes: readonly VolumeMountPoint[],
): Promise<ContainerPlan> {
  const compose = workload['compose'] as { archive?: unknown } | undefined;
  const play = workload['play'] as
    { archive?: unknown; resources?: unknown; templates?: unknown } | undefined;
  const signed = signedImages(workload['images']);
  if (compose !== undefined) {
    const entries = await openWorkloadArchive(compose.archive, 'workload.compose.archive');
    const file = COMPOSE_FILE_NAMES.find((name) =>
      entries.some((e) => e.type === 'file' && e.path === name),
    );
    if (file === undefined) {
      throw new HpvsError(
        'RUNTIME_FAILED',
        'workload.compose.archive has no docker-compose.yaml or docker-compose.yml at its top level',
      );
    }
    const text = runtimeYaml(() => fileText(entries, file));
    const plan: ContainerPlan = {
      kind: 'compose',
      folder: 'compose',
      files: [file],
      contents: { archive: entries },
      containers: [],
      problems: [],
    };
    const missing = new Set<string>();
    const substituted = substituteCompose(text, environment, missing);
    for (const name of missing) {
      plan.problems.push(
        `${file} uses \${${name}} without a default, but neither workload.env nor env.env sets ${name}`,
      );
    }
    const paths = entries.map((entry) => entry.path);
    await planCompose(substituted, file, paths, signed, volumes, plan);
    checkPorts(plan);
    return plan;
  }
  if (play !== undefined) {
    const [{ stringify }, { parseYamlDocuments, yamlValue }] = await Promise.all([
      import('yaml'),
      import('../text/parse-yaml.js'),
    ]);
    const documents: { source: string; data: unknown }[] = [];
    let plan: ContainerPlan;
    if (play.archive !== undefined) {
      const entries = await openWorkloadArchive(play.archive, 'workload.play.archive');
      plan = {
        kind: 'play',
        folder: 'play',
        files: [],
        contents: { archive: entries },
        containers: [],
        problems: [],
      };
      for (const entry of topLevelYamlFiles(entries)) {
        if (entry.type !== 'file') continue;
        plan.files.push(entry.path);
        const parsed = runtimeYaml(() =>
          parseYamlDocuments(decodeUtf8Exactly(Buffer.from(entry.data), entry.path), entry.path),
        );
        for (const doc of parsed.documents) {
          documents.push({ source: entry.path, data: runtimeYaml(() => yamlValue(parsed, doc)) });
        }
      }
    } else {
      const resources = play.resources ?? play.templates;
      const what = play.resources !== undefined ? 'resources' : 'templates';
      if (!Array.isArray(resources)) {
        throw new HpvsError(
          'RUNTIME_FAILED',
          `workload.play has no archive, resources or templates to run`,
        );
      }
      const rendered = what === 'templates' ? renderTemplates(resources, environment) : resources;
      plan = {
        kind: 'play',
        folder: 'play',
        files: [`play-${what}.yaml`],
        contents: { rendered: rendered.map((item) => stringify(item)).join('---\n') },
        containers: [],
        problems: [],
      };
      rendered.forEach((data, index) =>
        documents.push({ source: `workload.play.${what}[${index}]`, data }),
      );
    }
    const configMaps = collectConfigMaps(documents.map((doc) => doc.data));
    for (const doc of documents) planPod(doc.source, doc.data, signed, volumes, configMaps, plan);
    if (plan.containers.length === 0)
      plan.problems.push('workload.play defines no Pod with containers');
    checkPorts(plan);
    return plan;
  }
  throw new HpvsError('RUNTIME_FAILED', 'workload has neither compose nor play; nothing to run');
}

function fileText(entries: ArchiveEntry[], path: string): string {
  const entry = entries.find((e) => e.type === 'file' && e.path === path);
  return entry?.type === 'file' ? decodeUtf8Exactly(Buffer.from(entry.data), path) : '';
}
