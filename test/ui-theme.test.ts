// The panel follows Figma's light/dark theme: every panel colour comes from Figma's theme variables
// (with a light fallback for pages outside Figma), and the sandbox asks Figma for them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** The stylesheet without comments and without the prompt marks, which are drawn over the photo. */
function panelCss(): string {
  return read('ui/styles.css')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\.prompt-(box|point|scribble)\s*\{[^}]*\}/g, '');
}

const COLOUR = /#[0-9a-f]{3,8}\b|\brgba?\(|\bhsla?\(|(?<![-\w])(white|black|gr[ae]y)(?![-\w])/gi;

describe('theme', () => {
  it('panel colours are Figma theme variables; literal colours appear only as their fallbacks', () => {
    const css = panelCss();
    const withoutFallbacks = css.replace(/var\(--figma-color-[a-z-]+,\s*[^)]*\)/g, 'var(--figma)');
    expect(withoutFallbacks.match(COLOUR) ?? []).toEqual([]);
    // The page itself takes the theme's background and text colour.
    expect(css).toMatch(/--bg:\s*var\(--figma-color-bg[,)]/);
    expect(css).toMatch(/--fg:\s*var\(--figma-color-text[,)]/);
    expect(css).toMatch(/:root\s*\{[^}]*color:\s*var\(--fg\);[^}]*background:\s*var\(--bg\);/);
  });

  it('the sandbox opens the panel with themeColors', () => {
    expect(read('src/main.ts')).toMatch(/figma\.showUI\(__html__,\s*\{[^}]*themeColors:\s*true/);
  });
});
