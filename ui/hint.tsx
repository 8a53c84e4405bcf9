// The panel's help text while no image is on screen: what to select, and how to draw prompts.
export function Hint() {
  return (
    <p class="hint">
      Select one or more images on the canvas. <b>Auto Matte</b> finds the main subject; <b>Matte with prompts</b> uses
      a rectangle, dots or a pen stroke drawn over the image to pick the object. Everything runs on this computer.
      <br />A red dot, or a dot named “not …” or “- …”, marks what to leave out (“+ …” keeps a red dot a click on the
      object).
    </p>
  );
}
