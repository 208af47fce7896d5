import { readFileSync } from 'node:fs';
import { loadSchemaDocument, SCHEMA_YAML_PATH } from '../api/contract/document.js';
import { ApiError, NotFound } from '../api/errors.js';

interface Rendering {
  mediaType: string;
  format: 'yaml' | 'json';
}

/** drf-spectacular's renderers, in its order: the first one is the default. */
const RENDERINGS: Rendering[] = [
  { mediaType: 'application/vnd.oai.openapi', format: 'yaml' },
  { mediaType: 'application/yaml', format: 'yaml' },
  { mediaType: 'application/vnd.oai.openapi+json', format: 'json' },
  { mediaType: 'application/json', format: 'json' },
];

export class NotAcceptable extends ApiError {
  constructor() {
    super(406, { detail: 'Could not satisfy the request Accept header.' });
  }
}

function matches(accepted: string, mediaType: string): boolean {
  if (accepted === '*/*') return true;
  const [type, subtype] = accepted.split('/');
  const [ownType, ownSubtype] = mediaType.split('/');
  return type === ownType && (subtype === '*' || subtype === ownSubtype);
}

/**
 * DRF's content negotiation: `?format=` names a renderer (an unknown one is a 404); otherwise the Accept header's
 * media types are tried from the most specific to `*∕*` (q-values are not weighed, as in DRF), each against the
 * renderers in order. No header means the default renderer.
 */
export function negotiate(format: string | undefined, accept: string | undefined): Rendering {
  if (format) {
    const rendering = RENDERINGS.find((r) => r.format === format);
    if (!rendering) throw new NotFound();
    return rendering;
  }
  if (!accept) return RENDERINGS[0];
  const types = accept.split(',').map((part) => part.split(';')[0].trim().toLowerCase()).filter(Boolean);
  const specificity = (type: string) => (type === '*/*' ? 0 : type.endsWith('/*') ? 1 : 2);
  for (const level of [2, 1, 0]) {
    for (const rendering of RENDERINGS) {
      if (types.some((type) => specificity(type) === level && matches(type, rendering.mediaType))) return rendering;
    }
  }
  throw new NotAcceptable();
}

let yamlText: string | undefined;
let jsonText: string | undefined;

/** The OpenAPI document this server implements: authentik 2023.10's, as YAML or JSON. */
export function schemaText(format: 'yaml' | 'json'): string {
  if (format === 'yaml') return (yamlText ??= readFileSync(SCHEMA_YAML_PATH, 'utf8'));
  return (jsonText ??= JSON.stringify(loadSchemaDocument()));
}
