/* Photo window: a photo with the 16×16 window whose numbers the page shows, moved by a click.
 *
 * Draws the photo (a JPEG of a downscaled copy: only for looking) with the window ringed in
 * red. Hovering shows the original pixel's row and column and, dashed, where the window would
 * go; answered here, without the server. A click (or a tap) moves the window there: the page
 * then shows that window's exact numbers.
 *
 * Data (cnnviz/ui/components/photo_window/__init__.py `photo_window`): picture (a data URL),
 *   size [height, width] of the original, window [top, left] and side, positions {rows, cols}
 *   (where a window may start), title, texts {readout, hover} (the words written here, in the
 *   page's language; `fill` puts the numbers in), version.
 * Keys: Tab reaches the photo; the arrows (Home, End) move a dashed preview window, Enter or
 * Space moves the window there.
 * Sends back: state `window` [top, left] on a click, Enter or Space.
 */

const MAX_WIDTH = 640;

class PhotoWindow {
  constructor(root) {
    this.root = root;
    root.innerHTML = "";
    this.caption = element("div", "pw-title");
    this.canvas = element("canvas");
    this.readout = element("div", "pw-readout");
    this.readout.setAttribute("aria-live", "polite");
    root.append(this.caption, this.canvas, this.readout);
    this.image = new Image();
    this.image.onload = () => this.layout();
    this.canvas.addEventListener("pointermove", (event) => this.hover(event));
    this.canvas.addEventListener("pointerleave", () => this.draw(null));
    this.canvas.addEventListener("click", (event) => this.choose(event));
    // From the keyboard: Tab reaches the photo, the arrows move a dashed preview from one
    // window to the next (Home, End: the first and last), Enter or Space moves the window there.
    this.canvas.tabIndex = 0;
    this.canvas.classList.add("cx-focusable");
    this.canvas.setAttribute("role", "img");
    this.canvas.addEventListener("keydown", (event) => this.key(event));
    this.canvas.addEventListener("blur", () => this.context && this.draw(null));
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(root);
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    const windowText = JSON.stringify(data.window);
    if (data.version === this.version && windowText === this.windowText) return;
    this.windowText = windowText;
    this.data = data;
    this.window = data.window.slice();
    this.caption.textContent = data.title;
    this.canvas.setAttribute("aria-label", data.title);
    this.preview = null;
    this.readout.textContent = data.texts.readout;
    if (data.version !== this.version) {
      this.version = data.version;
      this.image.src = data.picture;
    } else {
      this.draw(null);
    }
  }

  layout() {
    if (!this.data || !this.image.complete || !this.image.naturalWidth) return;
    const [height, width] = this.data.size;
    const shown = Math.min(MAX_WIDTH, this.root.clientWidth || MAX_WIDTH);
    this.scale = shown / width;
    this.context = sized(this.canvas, shown, height * this.scale);
    this.draw(null);
    this.root.dataset.ready = "true";
  }

  draw(preview) {
    if (!this.context) return;
    const [height, width] = this.data.size;
    const s = this.scale;
    this.context.drawImage(this.image, 0, 0, width * s, height * s);
    this.ring(this.window, "#ff2b2b", []);
    if (preview) this.ring(preview, "#ffffff", [4, 3]);
  }

  ring([top, left], colour, dash) {
    const side = this.data.side * this.scale;
    const c = this.context;
    c.setLineDash(dash);
    c.lineWidth = 2;
    c.strokeStyle = colour;
    c.strokeRect(left * this.scale, top * this.scale, side, side);
    if (side < 12) {
      c.beginPath();
      c.arc((left + this.data.side / 2) * this.scale, (top + this.data.side / 2) * this.scale, 10, 0, 2 * Math.PI);
      c.stroke();
    }
    c.setLineDash([]);
  }

  pixelAt(event) {
    const box = this.canvas.getBoundingClientRect();
    const [height, width] = this.data.size;
    const row = Math.min(height - 1, Math.max(0, Math.floor((event.clientY - box.top) / this.scale)));
    const col = Math.min(width - 1, Math.max(0, Math.floor((event.clientX - box.left) / this.scale)));
    return [row, col];
  }

  windowAt([row, col]) {
    // The window start nearest to centring the window on the pointed pixel.
    const nearest = (starts, target) => starts.reduce((a, b) => (Math.abs(b - target) < Math.abs(a - target) ? b : a));
    const half = this.data.side / 2;
    return [nearest(this.data.positions.rows, row - half), nearest(this.data.positions.cols, col - half)];
  }

  hover(event) {
    if (!this.context) return;
    const pixel = this.pixelAt(event);
    const target = this.windowAt(pixel);
    const side = this.data.side;
    this.readout.textContent = fill(this.data.texts.hover, {
      row: pixel[0],
      col: pixel[1],
      top: target[0],
      bottom: target[0] + side - 1,
      left: target[1],
      right: target[1] + side - 1,
    });
    this.draw(target);
  }

  key(event) {
    if (!this.context) return;
    const { rows, cols } = this.data.positions;
    const at = this.preview || this.window;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.window = at.slice();
      this.windowText = JSON.stringify(this.window);
      this.preview = null;
      this.draw(null);
      this.setStateValue("window", this.window);
      return;
    }
    const here = [Math.max(0, rows.indexOf(at[0])), Math.max(0, cols.indexOf(at[1]))];
    const moved = keyMove(event, here, rows.length, cols.length);
    if (!moved) return;
    event.preventDefault();
    event.stopPropagation(); // presenter mode's arrow-key shortcuts must not step too
    this.preview = [rows[moved[0]], cols[moved[1]]];
    const side = this.data.side;
    const [top, left] = this.preview;
    this.readout.textContent = fill(this.data.texts.hover, {
      row: top,
      col: left,
      top,
      bottom: top + side - 1,
      left,
      right: left + side - 1,
    });
    this.draw(this.preview);
  }

  choose(event) {
    if (!this.context) return;
    this.window = this.windowAt(this.pixelAt(event));
    this.windowText = JSON.stringify(this.window);
    this.draw(null);
    this.setStateValue("window", this.window);
  }
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const [root, photo] = instanceIn(parentElement, "pw", (r) => new PhotoWindow(r));
  photo.update(data, setStateValue);
  return () => {
    photo.resizer.disconnect();
    forget(root);
  };
}
