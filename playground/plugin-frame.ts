// Loads the real dist/ui.html into the page's iframe the way Figma shows a plugin's UI.

/**
 * Like Figma: the UI is a data: URL (opaque origin, not a secure context, so no WebGPU; Chromium
 * refuses such URLs over ~2 MB). ?host=srcdoc: a sandboxed srcdoc document instead.
 * ?backend=webgpu|wasm forces a backend; WebGPU then also takes a software adapter (testing).
 */
export async function loadPluginUi(iframe: HTMLIFrameElement, params: URLSearchParams): Promise<void> {
  const res = await fetch('/ui.html');
  let html = await res.text();
  const backend = params.get('backend');
  if (backend === 'webgpu' || backend === 'wasm') {
    html = html.replace('<head>', `<head><meta name="smat-backend" content="${backend}">`);
  }
  if (params.get('host') === 'srcdoc') iframe.srcdoc = html;
  else iframe.src = `data:text/html;base64,${utf8ToBase64(html)}`;
}

function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  // In slices: spreading a whole page into String.fromCharCode overflows the call stack.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
