// LIST semantics shared by KV v1 and v2: direct children of a folder, folders end with '/',
// nothing to list is 404 {"errors":[]}.
import { notFound } from './errors';
import type { Reply } from './types';
import { logical } from './types';

export function listChildren(keys: Iterable<string>, folder: string): Reply {
  const prefix = folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
  const children = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix) || key === prefix) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    children.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  if (children.size === 0) throw notFound();
  return logical({ keys: [...children].sort() });
}
