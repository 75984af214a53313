import { isMap, parseAllDocuments, parseDocument, type Document } from 'yaml';
import { HpvsError } from '../errors.js';
import { INITDATA_ANNOTATION, PEER_PODS_CONFIG_KEY } from './initdata.js';

/**
 * Where initdata lives in Kubernetes objects: the pod's annotation (for workload kinds, the pod
 * template's), or the `INITDATA` key of the peer-pods config map.
 */

const TEMPLATE_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];

function annotationPath(kind: unknown): (string | number)[] {
  if (kind === 'Pod') return ['metadata', 'annotations', INITDATA_ANNOTATION];
  if (kind === 'ConfigMap') return ['data', PEER_PODS_CONFIG_KEY];
  if (kind === 'CronJob') {
    return [
      'spec',
      'jobTemplate',
      'spec',
      'template',
      'metadata',
      'annotations',
      INITDATA_ANNOTATION,
    ];
  }
  if (typeof kind === 'string' && TEMPLATE_KINDS.includes(kind)) {
    return ['spec', 'template', 'metadata', 'annotations', INITDATA_ANNOTATION];
  }
  throw new HpvsError(
    'YAML_INVALID',
    `kind ${typeof kind === 'string' ? JSON.stringify(kind) : 'missing'}: expected Pod, ConfigMap, ${TEMPLATE_KINDS.join(', ')} or CronJob`,
  );
}

/** The manifest with the annotation set, every other byte of it kept where YAML allows. */
export function setInitdataAnnotation(manifest: string, value: string, source: string): string {
  const doc = parseSingle(manifest, source);
  if (!isMap(doc.contents)) {
    throw new HpvsError('YAML_INVALID', `${source}: expected a Kubernetes object (a mapping)`);
  }
  const path = annotationPath(doc.get('kind'));
  doc.setIn(path, value);
  return doc.toString({ lineWidth: 0 });
}

/**
 * The initdata value in a text: the value itself, or the first object of a (multi-document)
 * manifest that carries it.
 */
export function findInitdata(text: string, source: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('H4sI')) return trimmed;
  const docs = parseAllDocuments(text, { uniqueKeys: true });
  if (!Array.isArray(docs)) throw new HpvsError('YAML_INVALID', `${source}: no YAML documents`);
  for (const doc of docs) {
    if (doc.errors.length > 0) throw yamlError(doc, source);
    if (!isMap(doc.contents)) continue;
    let path;
    try {
      path = annotationPath(doc.get('kind'));
    } catch {
      continue;
    }
    const value = doc.getIn(path);
    if (typeof value === 'string') return value.trim();
  }
  throw new HpvsError(
    'INITDATA_INVALID',
    `${source}: neither an initdata value (base64 of gzip, starting H4sI) nor a manifest with the ${INITDATA_ANNOTATION} annotation`,
  );
}

function parseSingle(text: string, source: string): Document {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw yamlError(doc, source);
  return doc;
}

function yamlError(doc: Document, source: string): HpvsError {
  const error = doc.errors[0]!;
  const pos = error.linePos?.[0];
  const where = pos === undefined ? source : `${source}:${pos.line}:${pos.col}`;
  return new HpvsError('YAML_INVALID', `${where}: ${error.message.split('\n')[0]}`);
}
