/* Helpers every cnnviz component shares; Python puts this file in front of each component's
 * own file (cnnviz/ui/components/__init__.py), so a component is one ES module with no imports.
 *
 * - decodeArray: an array sent by `payload.encode_array` ({data: base64, dtype, shape}) back
 *   into a typed array with its shape.
 * - formatG: a number as Python's f"{x:g}" prints it, so the browser shows the core's text.
 * - numpySum: a sum in the order NumPy adds (pairwise, eight accumulators), so a sum in the
 *   browser equals `np.sum` bit for bit.
 * - colourOf: a value's colour on a plotly colour scale sent from `cnnviz.plots`.
 * - grid, labelled: a small array as a table of coloured cells (padding marked), captioned.
 * - fill: a message from the page (a component's `texts`) with its {names} filled in.
 * - colourLegend: a colour bar with its values, the numeric legend of a canvas heatmap.
 * - keyMove: where an arrow key (Home, End) moves a cell of a grid, for keyboard use.
 * - sized: a canvas sized in CSS pixels, sharp on high-density screens.
 * - instanceIn, forget: one drawing object per mounted component, kept across reruns.
 */

const TYPED = { uint8: Uint8Array, float32: Float32Array, float64: Float64Array };

function decodeArray(encoded) {
  const bytes = Uint8Array.from(atob(encoded.data), (c) => c.charCodeAt(0));
  const Type = TYPED[encoded.dtype];
  return { values: new Type(bytes.buffer), shape: encoded.shape };
}

function stripZeros(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

function formatG(x) {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  const [mantissa, exponentText] = x.toExponential(5).split("e");
  const exponent = parseInt(exponentText, 10);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${stripZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return stripZeros(x.toFixed(5 - exponent));
}

function numpySum(values) {
  const n = values.length;
  if (n < 8) {
    let total = 0;
    for (let i = 0; i < n; i++) total += values[i];
    return total;
  }
  if (n <= 128) {
    const r = values.slice(0, 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += values[i + j];
    let total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) total += values[i];
    return total;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return numpySum(values.slice(0, half)) + numpySum(values.slice(half));
}

function parseRgb(text) {
  if (text.startsWith("#")) {
    return [1, 3, 5].map((i) => parseInt(text.slice(i, i + 2), 16));
  }
  return text.replace(/[^\d,.]/g, "").split(",").map(Number);
}

function makeScale(stops) {
  return stops.map(([position, colour]) => [position, parseRgb(colour)]);
}

function colourOf(scale, low, high, value) {
  if (!Number.isFinite(value)) return [200, 200, 200];
  const t = high > low ? Math.min(1, Math.max(0, (value - low) / (high - low))) : 0.5;
  for (let i = 1; i < scale.length; i++) {
    const [p1, c1] = scale[i];
    if (t <= p1) {
      const [p0, c0] = scale[i - 1];
      const f = p1 > p0 ? (t - p0) / (p1 - p0) : 0;
      return c0.map((c, k) => Math.round(c + f * (c1[k] - c)));
    }
  }
  return scale[scale.length - 1][1];
}

function textColourOn(rgb) {
  const [r, g, b] = rgb;
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#000" : "#fff";
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function fill(text, values) {
  // A catalog's message with its {names} filled in, as Python's str.format does.
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function grid(rows, colour, marked = null, texts = null) {
  // `texts` {pad, pad_title}: how a padding cell is written, in the page's language.
  const table = element("table", "cx-grid");
  rows.forEach((cells, i) => {
    const tr = element("tr");
    cells.forEach((value, j) => {
      const td = element("td");
      if (value === null) {
        td.className = "cx-pad";
        td.textContent = texts ? texts.pad : "pad";
        td.title = texts ? texts.pad_title : "padding";
      } else {
        const rgb = colour(value);
        td.style.background = `rgb(${rgb.join(",")})`;
        td.style.color = textColourOn(rgb);
        td.textContent = formatG(value + 0);
      }
      if (marked && marked[0] === i && marked[1] === j) td.classList.add("cx-marked");
      tr.append(td);
    });
    table.append(tr);
  });
  return table;
}

function labelled(label, content) {
  const box = element("div", "cx-block");
  box.append(element("div", "cx-label", label), content);
  return box;
}

function sized(canvas, width, height) {
  const ratio = window.devicePixelRatio || 1;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}

const instances = new WeakMap();

function instanceIn(parentElement, className, create) {
  // Streamlit calls a component's function again on every rerun, with the same parent.
  let root = parentElement.querySelector(`.${className}`);
  if (!root) {
    root = element("div", className);
    parentElement.append(root);
  }
  let instance = instances.get(root);
  if (!instance) {
    instance = create(root);
    instances.set(root, instance);
  }
  return [root, instance];
}

function forget(root) {
  instances.delete(root);
}

function colourLegend(scale, low, high, label) {
  // A colour bar with its values under it (low, middle, high): a heatmap's numeric legend.
  const box = element("div", "cx-legend");
  box.setAttribute("role", "img");
  const middle = (low + high) / 2;
  box.setAttribute("aria-label", `${label}: ${formatG(low)} … ${formatG(high)}`);
  const bar = element("div", "cx-legend-bar");
  const stops = scale.map(([p, rgb]) => `rgb(${rgb.join(",")}) ${(100 * p).toFixed(1)}%`);
  bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
  const ticks = element("div", "cx-legend-ticks");
  for (const value of [low, middle, high]) ticks.append(element("span", "", formatG(value + 0)));
  box.append(bar, ticks);
  return box;
}

function keyMove(event, cell, rows, cols) {
  // The cell an arrow key (or Home, End) moves `cell` [row, col] to; null for another key.
  const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (event.key === "Home") return [0, 0];
  if (event.key === "End") return [rows - 1, cols - 1];
  if (!(event.key in moves)) return null;
  const [dr, dc] = moves[event.key];
  return [Math.min(rows - 1, Math.max(0, cell[0] + dr)), Math.min(cols - 1, Math.max(0, cell[1] + dc))];
}
