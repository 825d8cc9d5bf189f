/* Number grids: a few small arrays side by side as tables of coloured cells, with the
 * operators between them (the Feature-maps page's window × kernel = products).
 *
 * Data (cnnviz/ui/components/number_grids/__init__.py `mount_number_grids`): grids [{title,
 *   values: encoded 2-D array, scale {stops, low, high}, marked [row, col] or null}],
 *   operators (the text between two grids), texts {pad, pad_title} (how padding is written,
 *   in the page's language), version.
 * Sends back nothing; every number is written as Python's `:g` writes it.
 */

function render(root, data) {
  root.innerHTML = "";
  const line = element("div", "ng-line");
  data.grids.forEach((item, index) => {
    if (index > 0) line.append(element("span", "ng-op", data.operators[index - 1] || ""));
    const array = decodeArray(item.values);
    const [rows, cols] = array.shape;
    const cells = [];
    for (let r = 0; r < rows; r++) cells.push(Array.from(array.values.slice(r * cols, (r + 1) * cols), (v) => (Number.isNaN(v) ? null : v)));
    const scale = makeScale(item.scale.stops);
    const colour = (v) => colourOf(scale, item.scale.low, item.scale.high, v);
    line.append(labelled(item.title, grid(cells, colour, item.marked, data.texts)));
  });
  root.append(line);
  root.dataset.ready = "true";
}

export default function (component) {
  const { data, parentElement } = component;
  const [root] = instanceIn(parentElement, "ng", (r) => r);
  if (root.dataset.version !== data.version) {
    root.dataset.version = data.version;
    render(root, data);
  }
}
