// Sandbox entry, bundled by build.mjs to dist/code.js. Only figma.* and our own src/ code here:
// onnxruntime expects `self` and lives in the UI iframe, never in this bundle.
import { bundledAssets } from './assets/bundled-assets';
import { streamAssets } from './assets/stream-assets';
import { MatteSession } from './session/matte-session';
import { runRequestForCommand } from './session/run-request-for-command';

figma.showUI(__html__, { width: 420, height: 560, themeColors: true });

const session = new MatteSession(figma, {
  closePlugin: () => figma.closePlugin(),
  // The runtime and the model reach the UI this way (see src/assets/bundled-assets.ts).
  sendAssets: (names) => streamAssets((m) => figma.ui.postMessage(m), bundledAssets(), names),
});
// Whatever the iframe posted is checked by the session before use; it reports a malformed message.
figma.ui.onmessage = (raw: unknown) => void session.receive(raw);
// The panel prepares the photo a designer selects before they ask for a run (SelectedImageMessage).
figma.on('selectionchange', () => void session.selectionChanged());

const run = runRequestForCommand(figma.command);
if (run) void session.request(run);
