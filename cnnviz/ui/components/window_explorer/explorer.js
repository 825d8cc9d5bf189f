/* Window explorer: how a kernel (convolution) or a pooling window slides over an image.
 *
 * Draws the input (with its padding, hatched), the kernel as applied and the output side by
 * side; below them, the arithmetic of one output pixel: window × kernel = products, and their
 * sum (convolution), or the window with its maximum marked or its mean (pooling). Everything
 * is answered here, in the browser: hovering an output pixel shows its window and arithmetic,
 * clicking it (or the input) picks it, the arrow keys move the pick, Play animates the window
 * over the whole image while the output fills in.
 *
 * Data (cnnviz/ui/components/__init__.py `window_explorer`):
 *   mode "convolution" | "pooling"; method "max" | "average" (pooling);
 *   input, output: encoded arrays (common.js `decodeArray`), each with a colour `scale`
 *     {stops, low, high} and a `title`;
 *   kernel: rows of the kernel as applied (convolution), kernel_title, kernel_scale;
 *   size, strides, pad [top, left]; pick [row, col]; version: changes with the arrays;
 *   texts: every word written here, in the page's language ({name} filled in by `fill`);
 *   legends {input, output}: the names of the two colour bars drawn with their values.
 * Keys (the explorer takes the focus with Tab): the arrows move the pick, Home and End go to the
 * first and last output pixel, Enter keeps the pick at once, Space plays or pauses.
 * Sends back: state `pick` [row, col] on a click or Enter, or 400 ms after the last move key.
 * Hover and animation never send anything, so they cost the server nothing.
 */

const MAX_SIDE = 340;
const MIN_SIDE = 150;
const ANIMATION_SECONDS = 6;

class WindowExplorer {
  constructor(root) {
    this.root = root;
    this.frame = null;
    this.sendTimer = null;
    root.innerHTML = "";
    root.tabIndex = 0;
    root.setAttribute("role", "application");
    const panels = element("div", "cx-panels");
    this.inputPanel = this.panel(panels, "cx-input");
    this.middle = element("figure", "cx-panel cx-middle");
    this.middleTitle = element("figcaption");
    this.calc = element("div", "cx-calc");
    this.middle.append(this.middleTitle, this.calc);
    panels.append(this.middle);
    this.outputPanel = this.panel(panels, "cx-output");
    const bar = element("div", "cx-bar");
    this.play = element("button", "cx-play");
    this.play.type = "button";
    this.status = element("span", "cx-status");
    this.status.setAttribute("aria-live", "polite");
    this.hint = element("span", "cx-hint");
    bar.append(this.play, this.status, this.hint);
    root.append(panels, bar);
    this.listen();
    this.resizer = new ResizeObserver(() => this.layout());
    this.resizer.observe(root);
  }

  panel(parent, className) {
    const figure = element("figure", "cx-panel");
    const caption = element("figcaption");
    const canvas = element("canvas", className);
    const legend = element("div", "cx-legend-holder");
    figure.append(caption, canvas, legend);
    parent.append(figure);
    return { caption, canvas, legend };
  }

  update(data, setStateValue) {
    this.setStateValue = setStateValue;
    const picked = JSON.stringify(data.pick);
    if (data.version === this.version) {
      if (picked !== this.lastPick) this.moveTo(data.pick, false);
      this.lastPick = picked;
      return;
    }
    this.stopAnimation();
    this.version = data.version;
    this.lastPick = picked;
    this.data = data;
    this.texts = data.texts;
    this.root.setAttribute("aria-label", this.texts.aria_label);
    this.play.textContent = this.frame ? this.texts.pause : this.texts.play;
    this.hint.textContent = this.texts.hint;
    this.input = decodeArray(data.input);
    this.output = decodeArray(data.output);
    this.inputScale = makeScale(data.input.scale.stops);
    this.outputScale = makeScale(data.output.scale.stops);
    const [h, w] = this.input.shape;
    const [oh, ow] = this.output.shape;
    const [top, left] = data.pad;
    const k = data.size;
    const s = data.strides;
    this.geometry = {
      h, w, oh, ow, k, s, top, left,
      bottom: Math.max(0, (oh - 1) * s + k - h - top),
      right: Math.max(0, (ow - 1) * s + k - w - left),
    };
    this.pick = data.pick.slice();
    this.focus = this.pick.slice();
    this.filled = oh * ow;
    this.inputImage = this.rasterise(this.input, this.inputScale, data.input.scale);
    this.outputImage = this.rasterise(this.output, this.outputScale, data.output.scale);
    this.inputPanel.caption.textContent = data.input.title;
    this.outputPanel.caption.textContent = data.output.title;
    for (const [panel, part, scale] of [
      [this.inputPanel, "input", this.inputScale],
      [this.outputPanel, "output", this.outputScale],
    ]) {
      const range = data[part].scale;
      panel.legend.replaceChildren(colourLegend(scale, range.low, range.high, data.legends[part]));
    }
    this.middleTitle.textContent = data.middle_title;
    this.layout();
    this.root.dataset.ready = "true";
  }

  rasterise(array, scale, range) {
    const [rows, cols] = array.shape;
    const canvas = document.createElement("canvas");
    canvas.width = cols;
    canvas.height = rows;
    const context = canvas.getContext("2d");
    const image = context.createImageData(cols, rows);
    for (let i = 0; i < rows * cols; i++) {
      const [r, g, b] = colourOf(scale, range.low, range.high, array.values[i]);
      image.data.set([r, g, b, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
    return canvas;
  }

  layout() {
    if (!this.data) return;
    const width = this.root.clientWidth;
    const stacked = width < 640;
    this.root.classList.toggle("cx-stacked", stacked);
    this.drawCalc(); // the middle panel's width depends on its numbers
    const middleWidth = this.middle.offsetWidth || 220;
    const free = stacked ? width - 8 : (width - middleWidth - 48) / 2;
    this.side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, Math.floor(free)));
    const g = this.geometry;
    const rows = g.top + g.h + g.bottom;
    const cols = g.left + g.w + g.right;
    this.inputCell = this.side / Math.max(rows, cols);
    this.outputCell = this.side / Math.max(g.oh, g.ow);
    sized(this.inputPanel.canvas, cols * this.inputCell, rows * this.inputCell);
    sized(this.outputPanel.canvas, g.ow * this.outputCell, g.oh * this.outputCell);
    this.draw();
  }

  draw() {
    this.drawInput();
    this.drawOutput();
    this.drawCalc();
  }

  drawInput() {
    const g = this.geometry;
    const c = this.inputCell;
    const context = this.inputPanel.canvas.getContext("2d");
    const width = (g.left + g.w + g.right) * c;
    const height = (g.top + g.h + g.bottom) * c;
    context.clearRect(0, 0, width, height);
    if (g.top || g.left || g.bottom || g.right) {
      context.fillStyle = hatch(context);
      context.fillRect(0, 0, width, height);
    }
    context.imageSmoothingEnabled = false;
    context.drawImage(this.inputImage, g.left * c, g.top * c, g.w * c, g.h * c);
    const [row, col] = this.focus;
    const top = row * g.s;
    const left = col * g.s;
    context.lineWidth = 2;
    context.strokeStyle = this.data.box_colour;
    context.strokeRect(left * c + 1, top * c + 1, g.k * c - 2, g.k * c - 2);
  }

  drawOutput() {
    const g = this.geometry;
    const c = this.outputCell;
    const context = this.outputPanel.canvas.getContext("2d");
    context.imageSmoothingEnabled = false;
    context.clearRect(0, 0, g.ow * c, g.oh * c);
    context.drawImage(this.outputImage, 0, 0, g.ow * c, g.oh * c);
    if (this.filled < g.oh * g.ow) {
      context.fillStyle = "#eceff3";
      const row = Math.floor(this.filled / g.ow);
      const col = this.filled % g.ow;
      context.fillRect(col * c, row * c, (g.ow - col) * c, c);
      context.fillRect(0, (row + 1) * c, g.ow * c, (g.oh - row - 1) * c);
    }
    const [row, col] = this.focus;
    context.lineWidth = 2;
    context.strokeStyle = this.data.box_colour;
    // Inside a cell large enough to hold the ring (it stays on the canvas at the edges).
    if (c >= 8) context.strokeRect(col * c + 1, row * c + 1, c - 2, c - 2);
    else context.strokeRect(col * c - 1, row * c - 1, c + 2, c + 2);
  }

  windowCells() {
    // The k×k window behind the focused output pixel, padding cells marked (null).
    const g = this.geometry;
    const [row, col] = this.focus;
    const cells = [];
    for (let i = 0; i < g.k; i++) {
      const line = [];
      for (let j = 0; j < g.k; j++) {
        const r = row * g.s - g.top + i;
        const q = col * g.s - g.left + j;
        line.push(r >= 0 && r < g.h && q >= 0 && q < g.w ? this.input.values[r * g.w + q] : null);
      }
      cells.push(line);
    }
    return cells;
  }

  drawCalc() {
    const cells = this.windowCells();
    const [row, col] = this.focus;
    const inputColour = (v) => colourOf(this.inputScale, this.data.input.scale.low, this.data.input.scale.high, v);
    this.calc.innerHTML = "";
    const noun = this.data.mode === "pooling" ? this.texts.pooled_cell : this.texts.output_pixel;
    const heading = element("div", "cx-heading", `${noun} (${row}, ${col})`);
    this.calc.append(heading);
    if (this.data.mode === "pooling") {
      this.poolingCalc(cells, inputColour);
      return;
    }
    const kernel = this.data.kernel;
    const products = cells.map((line, i) => line.map((v, j) => (v === null ? 0 : v) * kernel[i][j]));
    const total = numpySum(products.flat());
    const scale = this.data.kernel_scale;
    const kernelColour = (v) => colourOf(makeScale(scale.stops), scale.low, scale.high, v);
    const limit = Math.max(1e-12, ...products.flat().map(Math.abs));
    const productColour = (v) => colourOf(makeScale(this.data.output.scale.stops), -limit, limit, v);
    const first = element("div", "cx-line");
    first.append(
      labelled(this.texts.window_label, grid(cells, inputColour, null, this.texts)),
      element("span", "cx-op", "×"),
      labelled(this.data.kernel_label, grid(kernel, kernelColour, null, this.texts)),
    );
    const second = element("div", "cx-line");
    second.append(
      element("span", "cx-op", "="),
      labelled(this.texts.products, grid(products, productColour, null, this.texts)),
      element("span", "cx-op", "→"),
      labelled(this.texts.sum, element("output", "cx-sum", formatG(total + 0))),
    );
    this.calc.append(first, second);
    this.result = total;
    this.status.textContent = `${this.texts.output_pixel} (${row}, ${col}) = ${formatG(total + 0)}`;
  }

  poolingCalc(cells, inputColour) {
    const real = cells.flat().filter((v) => v !== null);
    let value;
    let text;
    let marked = null;
    if (this.data.method === "max") {
      value = Math.max(...real);
      const index = cells.flat().findIndex((v) => v === value);
      marked = [Math.floor(index / this.geometry.k), index % this.geometry.k];
      text = `max(${real.map(formatG).join(", ")}) = ${formatG(value)}`;
    } else {
      value = numpySum(cells.flat().map((v) => (v === null ? 0 : v))) / real.length;
      text = `(${real.map(formatG).join(" + ")}) / ${real.length} = ${formatG(value)}`;
    }
    const padded = cells.flat().length - real.length;
    if (padded) text += fill(this.texts.padding_ignored, { count: padded });
    const line = element("div", "cx-line");
    this.calc.append(line);
    line.append(
      labelled(this.texts.window_label, grid(cells, inputColour, marked, this.texts)),
      element("span", "cx-op", "→"),
      labelled(this.data.method === "max" ? this.texts.maximum : this.texts.mean, element("output", "cx-sum", formatG(value))),
    );
    this.calc.append(element("div", "cx-formula", text));
    this.result = value;
    const [row, col] = this.focus;
    this.status.textContent = `${this.texts.pooled_cell} (${row}, ${col}) = ${formatG(value)}`;
  }

  cellAt(event, cell, rows, cols) {
    const box = event.target.getBoundingClientRect();
    const row = Math.floor((event.clientY - box.top) / cell);
    const col = Math.floor((event.clientX - box.left) / cell);
    return [Math.min(rows - 1, Math.max(0, row)), Math.min(cols - 1, Math.max(0, col))];
  }

  inputToOutput(event) {
    // The output pixel whose window is centred nearest the pointed input cell.
    const g = this.geometry;
    const [r, q] = this.cellAt(event, this.inputCell, g.top + g.h + g.bottom, g.left + g.w + g.right);
    const half = (g.k - 1) / 2;
    const row = Math.round((r - half) / g.s);
    const col = Math.round((q - half) / g.s);
    return [Math.min(g.oh - 1, Math.max(0, row)), Math.min(g.ow - 1, Math.max(0, col))];
  }

  listen() {
    const output = this.outputPanel.canvas;
    const input = this.inputPanel.canvas;
    output.addEventListener("pointermove", (event) => {
      if (this.frame) return;
      this.show(this.cellAt(event, this.outputCell, this.geometry.oh, this.geometry.ow));
    });
    input.addEventListener("pointermove", (event) => {
      if (this.frame) return;
      this.show(this.inputToOutput(event));
    });
    for (const canvas of [output, input]) {
      canvas.addEventListener("pointerleave", () => this.frame || this.show(this.pick));
    }
    output.addEventListener("click", (event) => {
      this.stopAnimation();
      this.moveTo(this.cellAt(event, this.outputCell, this.geometry.oh, this.geometry.ow), true);
    });
    input.addEventListener("click", (event) => {
      this.stopAnimation();
      this.moveTo(this.inputToOutput(event), true);
    });
    this.play.addEventListener("click", () => (this.frame ? this.stopAnimation() : this.animate()));
    this.root.addEventListener("keydown", (event) => this.key(event));
  }

  key(event) {
    const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (event.key === " " && event.target === this.root) {
      event.preventDefault();
      this.frame ? this.stopAnimation() : this.animate();
      return;
    }
    if (event.key === "Enter" && event.target === this.root && this.data) {
      // Keep the window where it is now: the page explains it without waiting.
      event.preventDefault();
      clearTimeout(this.sendTimer);
      this.stopAnimation();
      this.send();
      return;
    }
    const g = this.geometry;
    const ends = { Home: [0, 0], End: g ? [g.oh - 1, g.ow - 1] : null };
    if (!(event.key in moves || event.key in ends) || !this.data) return;
    event.preventDefault();
    event.stopPropagation(); // the page's arrow-key shortcuts (presenter mode) must not step too
    this.stopAnimation();
    const [dr, dc] = moves[event.key] || [0, 0];
    const [endRow, endCol] = ends[event.key] || [null, null];
    const row = endRow ?? Math.min(g.oh - 1, Math.max(0, this.pick[0] + dr));
    const col = endCol ?? Math.min(g.ow - 1, Math.max(0, this.pick[1] + dc));
    this.moveTo([row, col], false);
    clearTimeout(this.sendTimer);
    this.sendTimer = setTimeout(() => this.send(), 400);
  }

  show(cell) {
    if (cell[0] === this.focus[0] && cell[1] === this.focus[1]) return;
    this.focus = cell.slice();
    this.draw();
  }

  moveTo(cell, send) {
    this.pick = cell.slice();
    this.show(cell);
    this.root.dataset.pick = `${cell[0]},${cell[1]}`;
    if (send) this.send();
  }

  send() {
    this.lastPick = JSON.stringify(this.pick);
    this.setStateValue("pick", this.pick);
  }

  animate() {
    const g = this.geometry;
    const total = g.oh * g.ow;
    const perFrame = Math.max(1, Math.ceil(total / (60 * ANIMATION_SECONDS)));
    this.filled = 0;
    this.play.textContent = this.texts.pause;
    this.root.dataset.playing = "true";
    const step = () => {
      this.filled = Math.min(total, this.filled + perFrame);
      const index = this.filled - 1;
      this.focus = [Math.floor(index / g.ow), index % g.ow];
      this.draw();
      if (this.filled < total) {
        this.frame = requestAnimationFrame(step);
      } else {
        this.stopAnimation();
        this.status.textContent = fill(this.texts.finished, { total });
      }
    };
    this.frame = requestAnimationFrame(step);
  }

  stopAnimation() {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.texts) this.play.textContent = this.texts.play;
    this.root.dataset.playing = "false";
    if (this.geometry && this.filled < this.geometry.oh * this.geometry.ow) {
      this.filled = this.geometry.oh * this.geometry.ow;
      this.focus = this.pick.slice();
      this.draw();
    }
  }

  destroy() {
    this.stopAnimation();
    this.resizer.disconnect();
    clearTimeout(this.sendTimer);
  }
}

function hatch(context) {
  const tile = document.createElement("canvas");
  tile.width = tile.height = 6;
  const t = tile.getContext("2d");
  t.fillStyle = "#f3f4f6";
  t.fillRect(0, 0, 6, 6);
  t.strokeStyle = "#b8bec8";
  t.beginPath();
  t.moveTo(0, 6);
  t.lineTo(6, 0);
  t.stroke();
  return context.createPattern(tile, "repeat");
}

export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const [root, explorer] = instanceIn(parentElement, "cx", (r) => new WindowExplorer(r));
  explorer.update(data, setStateValue);
  return () => {
    explorer.destroy();
    forget(root);
  };
}
