import { createHash } from 'node:crypto';

function initialsSvg(name: string): string {
  const initials = name.split(/\s+/).filter(Boolean).slice(0, 2).map((part) => part[0]?.toUpperCase() ?? '').join('') || 'A';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" fill="#3b5998"/>`
    + `<text x="50" y="50" fill="#fff" font-family="sans-serif" font-size="40" text-anchor="middle" dominant-baseline="central">`
    + `${initials.replace(/[<>&"']/g, '')}</text></svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/**
 * The avatar URL per `AUTHENTIK_AVATARS` (a comma-separated list tried in order): `gravatar` (needs an email),
 * `initials`, `none`, or a URL template with `%(username)s`, `%(mail_hash)s`, `%(upn)s`.
 */
export function avatarFor(setting: string, user: { username: string; name: string; email: string; attributes: Record<string, unknown> }): string {
  const mailHash = createHash('md5').update(user.email.toLowerCase().trim()).digest('hex');
  for (const mode of setting.split(',').map((s) => s.trim())) {
    if (mode === 'none') return '/static/dist/assets/images/user_default.png';
    if (mode === 'initials') return initialsSvg(user.name || user.username);
    if (mode === 'gravatar' && user.email) return `https://secure.gravatar.com/avatar/${mailHash}?size=158&rating=g&default=404`;
    if (mode.startsWith('attributes.')) {
      const value = mode.slice('attributes.'.length).split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], user.attributes);
      if (typeof value === 'string' && value) return value;
    }
    if (mode.includes('://')) {
      return mode.replace('%(username)s', encodeURIComponent(user.username)).replace('%(mail_hash)s', mailHash)
        .replace('%(upn)s', encodeURIComponent(String(user.attributes.upn ?? '')));
    }
  }
  return '/static/dist/assets/images/user_default.png';
}
