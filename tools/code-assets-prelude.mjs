// The one line in front of dist/code.js that carries the runtime and the model
// (`var __SMAT_ASSETS__ = {...};`, read by src/assets/bundled-assets.ts). The build writes it; the
// playground, the bench and the tests read it back to play the sandbox's part.

const PRELUDE = /^var __SMAT_ASSETS__ = (.*);$/;

/** code.js text: the assets line, then the sandbox bundle. */
export function withAssetsPrelude(assets, bundle) {
  return `var __SMAT_ASSETS__ = ${JSON.stringify(assets)};\n${bundle}`;
}

/** The assets a built code.js carries, or {} when it carries none. */
export function readAssetsPrelude(code) {
  const match = PRELUDE.exec(code.slice(0, code.indexOf('\n')));
  return match ? JSON.parse(match[1]) : {};
}
