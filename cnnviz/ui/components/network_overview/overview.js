/* Network overview: every layer's output for one input, in one view (CNN Explainer's idea).
 *
 * Draws the 28×28 input, then each layer as a row of numbered maps (a conv or pooling
 * layer) or of cells (a flat layer; the last one labelled with the classes). Hovering any
 * cell shows its value and boxes, on the input, the pixels it depends on (its receptive
 * field); all of that is answered here, without the server. Clicking a cell of a layer that
 * can be explained picks it: the server then shows its arithmetic.
 *
 * Data (cnnviz/ui/components/network_overview/__init__.py `network_overview`):
 *   input: encoded 28×28 array (0..1); scales: {never_negative, signed} colour stops;
 *   layers: [{name, kind, title, values: encoded (h, w, c) or (n,), never_negative,
 *     explainable, rows: [[top, count], ...] per output row, cols: the same per column}];
 *   per_map: each map on its own scale; pick: [layer, map, row, col] or null;
 *   class_names; pickable; texts (the words shown, in the page's language: point, input,
 *   map, unit, class, only_reshapes); version.
 * Under each layer, its colour bar with its values (unless each map has its own scale).
 * Keys: Tab reaches each map (and each flat layer); the arrows, Home and End read its cells
 * (value and receptive field, as hovering does), Enter or Space picks the cell.
 * Sends back: state `pick` [layer, map, row, col] (row and col null for a flat layer).
 */

const INPUT_SIDE = 168;
const NARROW_INPUT_SIDE = 112;
const NARROW = 700; // below this width the input sits above the layers, not beside them
const MAP_SIDE = 56;
const FLAT_CELL = 12;
const FLAT_PER_ROW = 40;

class NetworkOverview {
  constructor(root) {
    this.root = root;
    root.innerHTML = "";
    this.side = element("div", "no-input");
    this.inputCanvas = element("canvas");
    this.readout = element("div", "no-readout");
    this.readout.setAttribute("aria-live", "polite");
    this.caption = element("div", "no-caption");
    this.side.append(this.caption, this.inputCanvas, this.readout);
    this.body = element("div", "no-layers");
    root.append(this.side, this.body);
    this.resizer = new ResizeObserver(() => this.arrange());
    this.resizer.observe(root);
  }

  arrange() {
    const narrow = this.root.clientWidth < NARROW;
    if (narrow === this.narrow) return;
    this.narrow = narrow;
    this.root.classList.toggle("no-narrow", narrow);
    if (this.data) this.drawInput(null);
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    if (data.version === this.version) return;
    this.version = data.version;
    this.data = data;
    this.texts = data.texts;
    this.caption.textContent = data.texts.input;
    this.readout.textContent = data.texts.point;
    this.input = decodeArray(data.input);
    this.scales = {
      true: makeScale(data.scales.never_negative),
      false: makeScale(data.scales.signed),
    };
    this.layers = data.layers.map((layer) => ({ ...layer, array: decodeArray(layer.values) }));
    this.pick = data.pick;
    this.arrange();
    this.drawInput(null);
    this.keepFocus(() => this.drawLayers());
    this.root.dataset.ready = "true";
  }

  drawInput(box) {
    const [h, w] = this.input.shape;
    const cell = (this.narrow ? NARROW_INPUT_SIDE : INPUT_SIDE) / Math.max(h, w);
    const context = sized(this.inputCanvas, w * cell, h * cell);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        const v = Math.round(255 * Math.min(1, Math.max(0, this.input.values[r * w + c])));
        context.fillStyle = `rgb(${v},${v},${v})`;
        context.fillRect(c * cell, r * cell, cell + 0.5, cell + 0.5);
      }
    }
    if (box) {
      const [top, left, rows, cols] = box;
      context.strokeStyle = "#ff2b2b";
      context.lineWidth = 2;
      context.strokeRect(left * cell + 1, top * cell + 1, cols * cell - 2, rows * cell - 2);
    }
  }

  drawLayers() {
    this.body.innerHTML = "";
    this.layers.forEach((layer, index) => {
      const row = element("section", "no-layer");
      row.append(element("div", "no-title", `${index + 1}. ${layer.title}`));
      const maps = element("div", "no-maps");
      if (layer.array.shape.length === 3) this.drawMaps(layer, index, maps);
      else this.drawFlat(layer, index, maps);
      row.append(maps);
      // The layer's colour bar with its values (each map has its own range when per_map).
      if (!this.data.per_map || layer.array.shape.length !== 3) {
        const [low, high] = this.range(layer, layer.array.values);
        row.append(colourLegend(this.scales[layer.never_negative], low, high, layer.title));
      }
      this.body.append(row);
    });
  }

  range(layer, values) {
    let limit = 0;
    for (const v of values) if (Number.isFinite(v)) limit = Math.max(limit, Math.abs(v));
    limit = limit || 1;
    return layer.never_negative ? [0, limit] : [-limit, limit];
  }

  drawMaps(layer, index, parent) {
    const [h, w, channels] = layer.array.shape;
    const cell = Math.max(2, Math.round(MAP_SIDE / Math.max(h, w)));
    const scale = this.scales[layer.never_negative];
    const all = this.range(layer, layer.array.values);
    for (let k = 0; k < channels; k++) {
      const plane = new Float32Array(h * w);
      for (let i = 0; i < h * w; i++) plane[i] = layer.array.values[i * channels + k];
      const [low, high] = this.data.per_map ? this.range(layer, plane) : all;
      const figure = element("figure", "no-map");
      const canvas = element("canvas");
      const context = sized(canvas, w * cell, h * cell);
      for (let i = 0; i < h * w; i++) {
        context.fillStyle = `rgb(${colourOf(scale, low, high, plane[i]).join(",")})`;
        context.fillRect((i % w) * cell, Math.floor(i / w) * cell, cell, cell);
      }
      const picked = this.pick && this.pick[0] === index && this.pick[1] === k;
      if (picked) outlineCell(context, this.pick[3], this.pick[2], cell);
      canvas.dataset.layer = index;
      canvas.dataset.map = k;
      const where = (event) => {
        const box = canvas.getBoundingClientRect();
        const r = Math.min(h - 1, Math.floor((event.clientY - box.top) / cell));
        const c = Math.min(w - 1, Math.floor((event.clientX - box.left) / cell));
        return [Math.max(0, r), Math.max(0, c)];
      };
      let cursor = picked ? [this.pick[2], this.pick[3]] : [0, 0]; // the keys' cell
      const read = ([r, c]) => {
        cursor = [r, c];
        const value = plane[r * w + c];
        this.show(`${layer.name} · ${this.texts.map} ${k} · (${r}, ${c}) = ${formatG(value)}`, [
          layer.rows[r][0], layer.cols[c][0], layer.rows[r][1], layer.cols[c][1],
        ]);
      };
      canvas.addEventListener("pointermove", (event) => read(where(event)));
      canvas.addEventListener("pointerleave", () => this.show(null, null));
      canvas.addEventListener("click", (event) => {
        const [r, c] = where(event);
        this.choose(layer, [index, k, r, c]);
      });
      // From the keyboard: Tab reaches each map, the arrows read its cells, Enter picks one.
      this.focusable(canvas, `${layer.title} · ${this.texts.map} ${k}`, () => read(cursor), (event) => {
        if (event.key === "Enter" || event.key === " ") {
          this.choose(layer, [index, k, ...cursor]);
          return true;
        }
        const moved = keyMove(event, cursor, h, w);
        if (moved) read(moved);
        return Boolean(moved);
      });
      if (picked) figure.classList.add("no-picked");
      figure.append(canvas, element("figcaption", "", String(k)));
      parent.append(figure);
    }
  }

  drawFlat(layer, index, parent) {
    const values = layer.array.values;
    const n = values.length;
    const last = index === this.layers.length - 1 && this.data.class_names.length === n;
    // As many cells to a row as the column has room for (never wider than the page).
    const room = Math.max(10, Math.floor((this.body.clientWidth || 480) / FLAT_CELL));
    const perRow = last ? n : Math.min(FLAT_PER_ROW, room, n);
    const cell = last ? 28 : FLAT_CELL;
    const rows = Math.ceil(n / perRow);
    const canvas = element("canvas", last ? "no-classes" : "");
    const context = sized(canvas, perRow * cell, rows * cell + (last ? 14 : 0));
    const [low, high] = this.range(layer, values);
    const scale = this.scales[layer.never_negative];
    for (let i = 0; i < n; i++) {
      context.fillStyle = `rgb(${colourOf(scale, low, high, values[i]).join(",")})`;
      context.fillRect((i % perRow) * cell, Math.floor(i / perRow) * cell, cell - 1, cell - 1);
      if (last) {
        context.fillStyle = "#31333f";
        context.font = "11px sans-serif";
        context.textAlign = "center";
        context.fillText(this.data.class_names[i], (i + 0.5) * cell, cell + 11);
      }
    }
    if (this.pick && this.pick[0] === index) {
      outlineCell(context, this.pick[1] % perRow, Math.floor(this.pick[1] / perRow), cell);
    }
    const unitAt = (event) => {
      const box = canvas.getBoundingClientRect();
      const i = Math.floor((event.clientY - box.top) / cell) * perRow + Math.floor((event.clientX - box.left) / cell);
      return Math.min(n - 1, Math.max(0, i));
    };
    let unit = this.pick && this.pick[0] === index ? this.pick[1] : 0; // the keys' unit
    const read = (i) => {
      unit = i;
      const label = last ? ` (${this.texts.class} ${this.data.class_names[i]})` : "";
      const text = `${layer.name} · ${this.texts.unit} ${i}${label} = ${formatG(values[i])}`;
      this.show(text, [0, 0, ...this.input.shape]);
    };
    canvas.addEventListener("pointermove", (event) => read(unitAt(event)));
    canvas.addEventListener("pointerleave", () => this.show(null, null));
    canvas.addEventListener("click", (event) => this.choose(layer, [index, unitAt(event), null, null]));
    // From the keyboard: the arrows go through the units in order (up and down a row).
    canvas.dataset.layer = index;
    this.focusable(canvas, layer.title, () => read(unit), (event) => {
      if (event.key === "Enter" || event.key === " ") {
        this.choose(layer, [index, unit, null, null]);
        return true;
      }
      const moved = keyMove(event, [Math.floor(unit / perRow), unit % perRow], rows, perRow);
      if (moved) read(Math.min(n - 1, moved[0] * perRow + moved[1]));
      return Boolean(moved);
    });
    parent.append(canvas);
  }

  focusable(canvas, label, onFocus, onKey) {
    // A canvas the keyboard reaches (Tab), named for screen readers; `onKey` answers a key
    // and returns something truthy when it used it.
    canvas.tabIndex = 0;
    canvas.classList.add("cx-focusable");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", label);
    canvas.addEventListener("focus", onFocus);
    canvas.addEventListener("blur", () => this.show(null, null));
    canvas.addEventListener("keydown", (event) => {
      if (!onKey(event)) return;
      event.preventDefault();
      event.stopPropagation(); // presenter mode's arrow-key shortcuts must not step too
    });
  }

  show(text, box) {
    this.readout.textContent = text || this.texts.point;
    this.drawInput(box);
  }

  choose(layer, pick) {
    if (!this.data.pickable) return;
    if (!layer.explainable) {
      this.readout.textContent = `${layer.name} (${layer.kind}) ${this.texts.only_reshapes}`;
      return;
    }
    this.pick = pick;
    this.keepFocus(() => this.drawLayers());
    this.setStateValue("pick", pick);
  }

  keepFocus(draw) {
    // Redrawing replaces the canvases: the one the keyboard was on gets the focus back.
    const active = this.root.getRootNode().activeElement;
    const layer = active && active.dataset ? active.dataset.layer : undefined;
    const map = layer === undefined ? undefined : active.dataset.map;
    draw();
    if (layer === undefined) return;
    const which = `canvas[data-layer="${layer}"]${map === undefined ? "" : `[data-map="${map}"]`}`;
    const again = this.body.querySelector(which);
    if (again) again.focus();
  }
}

function outlineCell(context, col, row, cell) {
  context.strokeStyle = "#000";
  context.lineWidth = 2;
  context.strokeRect(col * cell - 1, row * cell - 1, cell + 2, cell + 2);
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const [root, overview] = instanceIn(parentElement, "no", (r) => new NetworkOverview(r));
  overview.update(data, setStateValue);
  return () => {
    overview.resizer.disconnect();
    forget(root);
  };
}
