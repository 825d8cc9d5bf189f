/* Map gallery: a few signed maps side by side under one colour bar (the Convolution page's
 * lecture kernels, the Pooling page's maps before and after a shift).
 *
 * Each map is drawn at its own proportions on a blue–white–red scale: from −max to +max of
 * its own values (a relative scale; its largest |value| under its title) or on one scale
 * shared by all. Hovering a pixel shows its exact value, answered here, without the server.
 *
 * Data (cnnviz/ui/components/map_gallery/__init__.py `map_gallery`): maps [{title,
 *   subtitle, values: encoded array}], stops (the colour scale), shared (one scale for all)
 *   with limit (its largest |value|), columns, scale_title, texts (the words shown, in the
 *   page's language: point, max, blue, white, red, row, column), version.
 * Keys: Tab reaches each map; the arrows, Home and End read its cells into the readout.
 * Sends back nothing.
 */

const NARROW = 640;

class MapGallery {
  constructor(root) {
    this.root = root;
    root.innerHTML = "";
    this.readout = element("div", "mg-readout");
    this.readout.setAttribute("aria-live", "polite");
    this.bar = element("canvas", "mg-bar");
    this.barTitle = element("div", "mg-bar-title");
    this.grid = element("div", "mg-grid");
    root.append(this.bar, this.barTitle, this.readout, this.grid);
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(root);
  }

  update(data) {
    if (data.version === this.version) return;
    this.version = data.version;
    this.data = data;
    this.texts = data.texts;
    this.readout.textContent = data.texts.point;
    this.scale = makeScale(data.stops);
    this.maps = data.maps.map((map) => ({ ...map, array: decodeArray(map.values) }));
    this.barTitle.textContent = data.scale_title;
    this.layout();
    this.root.dataset.ready = "true";
  }

  layout() {
    if (!this.data) return;
    const width = this.root.clientWidth || 800;
    const columns = width < NARROW ? Math.min(2, this.data.columns) : this.data.columns;
    const tile = Math.floor((width - 12 * (columns - 1)) / columns);
    this.grid.style.gridTemplateColumns = `repeat(${columns}, ${tile}px)`;
    this.drawBar(Math.min(width, 600));
    this.grid.innerHTML = "";
    for (const map of this.maps) this.grid.append(this.tile(map, tile));
  }

  drawBar(width) {
    const context = sized(this.bar, width, 14);
    for (let x = 0; x < width; x++) {
      const t = x / (width - 1);
      context.fillStyle = `rgb(${colourOf(this.scale, 0, 1, t).join(",")})`;
      context.fillRect(x, 0, 1, 14);
    }
    const { max, blue, white, red } = this.texts;
    const limit = this.data.shared ? formatG(this.data.limit) : max;
    this.barTitle.textContent = `${this.data.scale_title}: −${limit} (${blue}), 0 (${white}), +${limit} (${red})`;
  }

  tile(map, width) {
    const [rows, cols] = map.array.shape;
    const cell = width / cols;
    const figure = element("figure", "mg-map");
    figure.append(element("figcaption", "mg-title", map.title));
    if (map.subtitle) figure.append(element("div", "mg-subtitle", map.subtitle));
    const canvas = element("canvas");
    const context = sized(canvas, width, rows * cell);
    let limit = this.data.limit;
    if (!this.data.shared) {
      limit = 0;
      for (const v of map.array.values) if (Number.isFinite(v)) limit = Math.max(limit, Math.abs(v));
    }
    limit = limit || 1;
    for (let i = 0; i < rows * cols; i++) {
      context.fillStyle = `rgb(${colourOf(this.scale, -limit, limit, map.array.values[i]).join(",")})`;
      context.fillRect((i % cols) * cell, Math.floor(i / cols) * cell, cell + 0.5, cell + 0.5);
    }
    let cursor = [0, 0]; // the cell the arrow keys read
    const read = ([r, c]) => {
      cursor = [r, c];
      const { row, column } = this.texts;
      const value = formatG(map.array.values[r * cols + c]);
      this.readout.textContent = `${map.title}: ${row} ${r}, ${column} ${c} = ${value}`;
    };
    canvas.addEventListener("pointermove", (event) => {
      const box = canvas.getBoundingClientRect();
      const r = Math.min(rows - 1, Math.max(0, Math.floor((event.clientY - box.top) / cell)));
      const c = Math.min(cols - 1, Math.max(0, Math.floor((event.clientX - box.left) / cell)));
      read([r, c]);
    });
    // From the keyboard: Tab reaches each map, the arrows (Home, End) read its cells aloud.
    canvas.tabIndex = 0;
    canvas.classList.add("cx-focusable");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", [map.title, map.subtitle].filter(Boolean).join(", "));
    canvas.addEventListener("focus", () => read(cursor));
    canvas.addEventListener("keydown", (event) => {
      const moved = keyMove(event, cursor, rows, cols);
      if (!moved) return;
      event.preventDefault();
      event.stopPropagation(); // presenter mode's arrow-key shortcuts must not step too
      read(moved);
    });
    figure.append(canvas);
    return figure;
  }
}

export default function (component) {
  const { data, parentElement } = component;
  const [root, gallery] = instanceIn(parentElement, "mg", (r) => new MapGallery(r));
  gallery.update(data);
  return () => {
    gallery.resizer.disconnect();
    forget(root);
  };
}
