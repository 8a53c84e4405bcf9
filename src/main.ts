// Sandbox entry, bundled by build.mjs to dist/code.js. Only figma.* and our own src/ code here:
// onnxruntime expects `self` and lives in the UI iframe, never in this bundle.
import type { UiToSandbox } from '../core/messages';
import { MatteSession } from './session/matte-session';
import { runRequestForCommand } from './session/run-request-for-command';

figma.showUI(__html__, { width: 420, height: 560, themeColors: true });

const session = new MatteSession(figma, () => figma.closePlugin());
figma.ui.onmessage = (message: UiToSandbox) => {
  void session.receive(message);
};

const run = runRequestForCommand(figma.command);
if (run) void session.request(run);
