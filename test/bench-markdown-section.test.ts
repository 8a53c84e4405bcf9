import { describe, expect, it } from 'vitest';
import { markedSection, replaceMarkedSection } from '../bench/markdown-section';

describe('a generated section inside a Markdown file', () => {
  const doc = '# Results\n\nby hand\n\n<!-- s -->\nold table\n<!-- /s -->\n\n## After\ntext\n';

  it('replaces only what lies between its markers', () => {
    const out = replaceMarkedSection(doc, 's', 'new table\n');
    expect(out).toBe('# Results\n\nby hand\n\n<!-- s -->\nnew table\n<!-- /s -->\n\n## After\ntext\n');
    expect(markedSection(out, 's')).toBe('<!-- s -->\nnew table\n<!-- /s -->');
  });

  it('is appended to a file that has none yet, keeping the rest', () => {
    const out = replaceMarkedSection('# Results\ntext\n', 's', 'table');
    expect(out).toBe('# Results\ntext\n\n<!-- s -->\ntable\n<!-- /s -->\n');
    expect(markedSection('# Results\n', 's')).toBeNull();
  });
});
