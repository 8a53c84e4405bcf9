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
    return config.pointRadiusFraction;
  } catch (error) {
    console.warn(`playground: no model configuration, points are drawn as plain markers (${String(error)})`);
    return null;
  }
}
