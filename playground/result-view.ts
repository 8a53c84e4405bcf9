// The "Applied result" panel: what Figma would have written as a new layer, with a download link.
import type { ApplyMessage } from '../core/messages';
import { pageElement } from './page-element';

export function showAppliedResult(msg: ApplyMessage): void {
  const url = URL.createObjectURL(new Blob([msg.pngBytes as Uint8Array<ArrayBuffer>], { type: 'image/png' }));
  pageElement('result', HTMLElement).hidden = false;
  pageElement('result-img', HTMLImageElement).src = url;
  const link = pageElement('download', HTMLAnchorElement);
  link.href = url;
  link.download = `smat-${msg.output}-${msg.jobId}.png`;
  const what = msg.output === 'cutout' ? 'cut-out' : 'luminance mask';
  pageElement('result-info', HTMLElement).textContent = `${what}, ${(msg.pngBytes.length / 1024).toFixed(0)} KiB`;
}
