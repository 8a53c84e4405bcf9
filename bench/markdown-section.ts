// A generated section inside a hand-written (or otherwise generated) Markdown file, between
// `<!-- name -->` and `<!-- /name -->`, so that rewriting one never drops the other.

const open = (name: string) => `<!-- ${name} -->`;
const close = (name: string) => `<!-- /${name} -->`;

/** `text` with the section's body replaced, or the section appended when the file has none yet. */
export function replaceMarkedSection(text: string, name: string, body: string): string {
  const block = `${open(name)}\n${body.trimEnd()}\n${close(name)}`;
  const start = text.indexOf(open(name));
  const end = text.indexOf(close(name));
  if (start < 0 || end < start) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, start) + block + text.slice(end + close(name).length);
}

/** The whole section, markers included, or null. */
export function markedSection(text: string, name: string): string | null {
  const start = text.indexOf(open(name));
  const end = text.indexOf(close(name));
  return start < 0 || end < start ? null : text.slice(start, end + close(name).length);
}
