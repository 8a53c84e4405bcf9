// The part of the Figma plugin API the sandbox uses. The session takes this instead of the global
// `figma`, so tests can hand it the typed fake in test/fake-figma/ (a renamed API then fails tsc).
export type SandboxApi = Pick<
  PluginAPI,
  'notify' | 'commitUndo' | 'createImage' | 'createRectangle' | 'getImageByHash' | 'getNodeByIdAsync' | 'group'
> & {
  readonly currentPage: Pick<PageNode, 'selection'>;
  readonly ui: Pick<UIAPI, 'postMessage'>;
};
