// The `figma` global that dist/code.js sees in the QuickJS harness: the typed FakeFigma (the part
// of the API the session uses) plus what src/main.ts needs to start a plugin run - showUI, the
// command, figma.ui.onmessage, closePlugin, figma.mixed, figma.on('selectionchange') - typed
// against the real plugin typings.
import { FakeFigma } from './fake-figma-api';
import type { FakeSceneNode } from './fake-nodes';

type UiSlice = Pick<UIAPI, 'postMessage' | 'onmessage'>;

export class FakePluginUi implements UiSlice {
  onmessage: MessageEventHandler | undefined = undefined;

  constructor(
    private readonly record: (message: unknown) => void,
    private readonly toUi: (message: unknown) => void,
  ) {}

  postMessage(pluginMessage: unknown): void {
    this.record(pluginMessage);
    this.toUi(pluginMessage);
  }

  /** What Figma does with the UI's `parent.postMessage({pluginMessage}, '*')`. */
  deliver(pluginMessage: unknown): void {
    if (!this.onmessage) throw new Error('the plugin set no figma.ui.onmessage');
    this.onmessage(pluginMessage, { origin: 'null' });
  }
}

export interface PluginHostHooks {
  /** figma.showUI(__html__): the harness hosts the page. */
  showUI: (html: string, options?: ShowUIOptions) => void;
  /** figma.ui.postMessage: the harness delivers it to the page as {pluginMessage}. */
  toUi: (message: unknown) => void;
}

export class FakePluginHost
  extends FakeFigma
  implements Pick<PluginAPI, 'showUI' | 'closePlugin' | 'command' | 'mixed'>
{
  override readonly ui: FakePluginUi;
  readonly mixed: PluginAPI['mixed'] = Symbol('figma.mixed') as unknown as PluginAPI['mixed'];
  shownUi: { html: string; options?: ShowUIOptions } | null = null;
  private selectionListeners: Array<() => void> = [];

  constructor(
    readonly command: string,
    private readonly hooks: PluginHostHooks,
  ) {
    super();
    // Recorded in `posted` like FakeFigma's own ui does, and delivered to the hosted page.
    this.ui = new FakePluginUi((m) => this.posted.push(m), hooks.toUi);
  }

  showUI(html: string, options?: ShowUIOptions): void {
    if (this.shownUi) throw new Error('showUI called twice');
    this.shownUi = { html, options };
    this.hooks.showUI(html, options);
  }

  closePlugin(): void {
    this.closed = true;
  }

  /** figma.on: the only event the plugin listens to is 'selectionchange'. */
  on(type: ArgFreeEventType, callback: () => void): void {
    if (type !== 'selectionchange') throw new Error(`the fake host has no '${type}' event`);
    this.selectionListeners.push(callback);
  }

  /** Selects as the user does: Figma tells the plugin after the change, not during it. */
  override select(...nodes: FakeSceneNode[]): void {
    super.select(...nodes);
    setTimeout(() => {
      for (const listener of this.selectionListeners) listener();
    }, 0);
  }
}
