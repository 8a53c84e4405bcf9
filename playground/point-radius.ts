// How big a point prompt is drawn: the disc the model itself is given, models/model.json's
// `pointRadiusFraction` of the image's longer side. The page reads model.json the way the UI does,
// as the 'model-config' asset of the code.js it serves, so the disc matches the model being run.
import { parseModelConfig } from '../core/model-config';
import { AssetReceiver } from '../ui/asset-receiver';
import { streamServerAssets } from './server-assets';

/** The model's point radius as a fraction of the longer image side; null when code.js has no model. */
export async function loadPointRadiusFraction(): Promise<number | null> {
  const receiver: AssetReceiver = new AssetReceiver((request) => {
    if (request.type !== 'assets-request') return;
    streamServerAssets((piece) => receiver.onMessage(piece), request.names).catch(() => {});
  });
  try {
    const bytes = await receiver.request(['model-config'])['model-config'];
    const config = parseModelConfig(JSON.parse(new TextDecoder().decode(bytes)));
    return pointRadiusFractionOf(config);
  } catch (error) {
    console.warn(`playground: no model configuration, points are drawn as plain markers (${String(error)})`);
    return null;
  }
}

// core/model-config.ts does not check this key (the runtime does not use it), so it is checked here.
function pointRadiusFractionOf(config: Record<string, unknown>): number {
  const fraction = config.pointRadiusFraction;
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new Error(
      `model.json: pointRadiusFraction must be a number between 0 and 1, got ${JSON.stringify(fraction)}`,
    );
  }
  return fraction;
}
