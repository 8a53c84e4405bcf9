// The photos dropped into the playground (Figma: the images on the page) and which one is
// selected; the strip of thumbnails shows them.
import type { PlaygroundImage } from './playground-image';

export class Gallery {
  readonly images: PlaygroundImage[] = [];
  private currentIndex = -1;

  constructor(
    private readonly thumbs: HTMLElement,
    private readonly onSelect: () => void,
  ) {}

  get current(): PlaygroundImage | undefined {
    return this.images[this.currentIndex];
  }

  /** Like Figma's selection for a run: every image when there are several, else the one shown. */
  imagesForRun(): PlaygroundImage[] {
    return this.images.length > 1 ? this.images : this.images.slice(this.currentIndex, this.currentIndex + 1);
  }

  add(image: PlaygroundImage): void {
    this.images.push(image);
    this.select(this.images.length - 1);
  }

  select(index: number): void {
    this.currentIndex = index;
    this.renderThumbs();
    this.onSelect();
  }

  private renderThumbs(): void {
    this.thumbs.textContent = '';
    this.images.forEach((image, i) => {
      const el = document.createElement('img');
      el.src = image.url;
      el.title = image.name;
      el.className = i === this.currentIndex ? 'current' : '';
      el.onclick = () => this.select(i);
      this.thumbs.append(el);
    });
  }
}
