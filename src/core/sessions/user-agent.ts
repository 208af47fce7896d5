import useragent from 'useragent-ng';

/** A user agent as authentik's API shows it: Python ua-parser's `Parse` result (uap-core's regexes, as here). */
export interface ParsedUserAgent {
  device: { brand: string; family: string; model: string };
  os: { family: string; major: string; minor: string; patch: string; patch_minor: string };
  user_agent: { family: string; major: string; minor: string; patch: string };
  string: string;
}

/**
 * Parses with uap-core's regexes, the ones authentik's parser uses, so families read the same (`Chrome`,
 * `Mac OS X`, `Other`). ua-parser's missing parts (`None`) are `""` here, since the schema types them as strings;
 * missing version numbers read `0`, as this parser gives them.
 */
export function parseUserAgent(value: string): ParsedUserAgent {
  const agent = useragent.lookup(value);
  const device = agent.device as unknown as { family: string; brand?: string; model?: string };
  const unknownDevice = device.family === 'Other';
  return {
    device: {
      brand: unknownDevice ? '' : (device.brand ?? ''),
      family: device.family,
      model: unknownDevice ? '' : (device.model ?? ''),
    },
    os: { family: agent.os.family, major: agent.os.major, minor: agent.os.minor, patch: agent.os.patch, patch_minor: '' },
    user_agent: { family: agent.family, major: agent.major, minor: agent.minor, patch: agent.patch },
    string: value,
  };
}
