// How a result node points back at its source, for the Refine relaunch button.
export const RESULT_SOURCE_KEY = 'smat-source';
export const REFINE_COMMAND = 'refine';
export const REFINE_DESCRIPTION = 'Run SMat again with the current shapes';
