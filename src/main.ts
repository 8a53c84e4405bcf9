// Sandbox entry, bundled by build.mjs to dist/code.js. Only figma.* and our own src/ code here:
// onnxruntime expects `self` and lives in the UI iframe, never in this bundle.
import { bundledAssets } from './assets/bundled-assets';
import { streamAssets } from './assets/stream-assets';
import { MatteSession } from './session/matte-session';
import { parseUiMessage } from './session/parse-ui-message';
import { runRequestForCommand } from './session/run-request-for-command';

figma.showUI(__html__, { width: 420, height: 560, themeColors: true });

const session = new MatteSession(figma, () => figma.closePlugin());
figma.ui.onmessage = (raw: unknown) => {
  // Whatever the iframe posted is checked before use; the session reports a malformed message.
  const parsed = parseUiMessage(raw);
  // The runtime and the model reach the UI this way (see src/assets/bundled-assets.ts).
  if (parsed.ok && parsed.message.type === 'assets-request') {
    streamAssets((m) => figma.ui.postMessage(m), bundledAssets(), parsed.message.names);
    return;
  }
  void session.receive(raw);
};

const run = runRequestForCommand(figma.command);
if (run) void session.request(run);
