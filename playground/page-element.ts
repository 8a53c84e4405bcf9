// The page's elements by id, typed: a renamed id in index.html fails loudly at start-up instead of
// as a null dereference on the first click.

export function pageElement<T extends HTMLElement>(id: string, kind: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`playground: #${id} is missing from index.html or is not a ${kind.name}`);
  return el;
}
