"""How computers see, Convolution and Pooling in Spanish: their words from the catalogs
(`navigation`, `home`, `convolution`, `pooling`, `picker`, `widgets`, `pixels`, `kernels`,
`datasets`), their numbers as in English.

The core's, the plots' and the components' words are checked against the catalogs directly
(fast); the pages are driven with `?lang=es` like a learner (slow), and a choice made in Spanish
must compute what the same choice computes in English and what NumPy/SciPy compute.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

from cnnviz import convolution, datasets, i18n, images, plots
from cnnviz.convolution import (
    KERNELS,
    PoolSettings,
    TranslationReport,
    describe_invariance,
    describe_pixel,
    describe_pool,
    explain_pixel,
    explain_pool,
    kernel_description,
    kernel_label,
    read_kernel,
)
from cnnviz.ui.components import colour_scale
from cnnviz.ui.components.number_grids import grids_data
from cnnviz.ui.components.photo_window import photo_texts
from cnnviz.ui.components.window_explorer import WindowView, explorer_data
from cnnviz.ui.convolution import OPERATION_KEYS, OPERATIONS
from cnnviz.ui.navigation import LESSON
from cnnviz.ui.picker import SOURCE_KEYS, SOURCES, image_key
from cnnviz.ui.pooling import POOLING_SOURCES, SHIFT_MAP_KEYS
from tests.app.conftest import chart, component_data, page_test

AREAS = ("navigation", "home", "convolution", "pooling", "picker", "widgets", "pixels")
AREAS += ("kernels", "datasets")


def es(key: str, **values) -> str:
    return i18n.translate("es", key, **values)


def en(key: str, **values) -> str:
    return i18n.translate("en", key, **values)


# The catalogs, the core, the plots and the components (fast).


@pytest.mark.parametrize("area", AREAS)
def test_both_catalogs_of_an_area_have_the_same_keys_and_placeholders(area):
    english = {k: v for k, v in i18n.catalog("en").items() if k.startswith(f"{area}.")}
    spanish = {k: v for k, v in i18n.catalog("es").items() if k.startswith(f"{area}.")}
    assert english and english.keys() == spanish.keys()
    for key, text in english.items():
        assert i18n.placeholders(text) == i18n.placeholders(spanish[key]), key
        assert text != spanish[key] or key in SAME_IN_BOTH, key


# Words that Spanish borrows as they are: Keras's names, the glossary's loans, proper names.
SAME_IN_BOTH = {
    "navigation.pooling.title",
    "convolution.strides",
    "convolution.padding",
    "convolution.explorer.pad",
    "convolution.explorer.pad_title",
    "convolution.explorer.kernel",
    "pooling.strides",
    "pooling.padding",
    "pooling.lecture_map",
    "pooling.directions.diagonal",
    "widgets.kernel",
    "datasets.names.fashion-mnist",
}


def test_the_english_catalogs_say_what_the_code_said():
    for name, kernel in KERNELS.items():
        assert kernel_label(name) == name
        assert kernel_description(name) == kernel.description
    for name in images.builtin_images():
        assert en(f"picker.images.{image_key(name)}") == name
    assert [en(f"picker.sources.{SOURCE_KEYS[s]}") for s in SOURCES] == list(SOURCES)
    assert [en(f"convolution.operations.{OPERATION_KEYS[o]}") for o in OPERATIONS] == list(
        OPERATIONS
    )
    assert [datasets.dataset_label(name) for name in datasets.DATASET_NAMES] == list(
        datasets.DATASET_NAMES
    )
    assert [datasets.class_label(name) for name in datasets.FASHION_CLASS_NAMES] == list(
        datasets.FASHION_CLASS_NAMES
    )
    assert [page.title for page in LESSON][:3] == ["How computers see", "Convolution", "Pooling"]


def test_every_option_the_pages_show_has_a_spanish_name():
    spanish = {kernel_label(name, language="es") for name in KERNELS}
    assert len(spanish) == len(KERNELS) and not spanish & set(KERNELS)
    assert kernel_label("Sobel vertical edges", language="es") == "Bordes verticales (Sobel)"
    assert kernel_label("Box blur, normalised", language="es") == "Desenfoque de caja, normalizado"
    assert kernel_label("custom", language="es") == "personalizado"
    shown = [es(f"picker.images.{image_key(name)}") for name in images.builtin_images()]
    assert "Tablero de ajedrez" in shown and len(set(shown)) == len(shown)
    assert datasets.class_label("Ankle boot", language="es") == "Botín"
    assert datasets.class_label("7", language="es") == "7"
    for source, key in zip(POOLING_SOURCES, ("lecture", "convolution_page", "image"), strict=True):
        assert en(f"pooling.sources.{key}") == source != es(f"pooling.sources.{key}")
    maps = convolution.translation_invariance(np.eye(8), np.eye(3), (1, 1)).maps
    assert set(SHIFT_MAP_KEYS) == set(maps)
    assert [en(f"pooling.maps.{SHIFT_MAP_KEYS[name]}") for name in maps] == list(maps)


def test_the_core_explains_one_output_in_spanish_with_the_same_numbers():
    image = np.arange(25.0).reshape(5, 5)
    explained = explain_pixel(image, KERNELS["Sobel vertical edges"].values, 1, 1)
    spanish, english = describe_pixel(explained, language="es"), describe_pixel(explained)
    assert spanish.startswith("Suma de los productos: ")
    assert english.startswith("Sum of the products: ")
    assert spanish.split(": ", 1)[1] == english.split(": ", 1)[1]
    reference = scipy.signal.convolve2d(image, KERNELS["Sobel vertical edges"].values, "valid")
    assert spanish.endswith(f"= **{reference[1, 1]:g}**.")


def test_the_core_describes_pooling_and_the_shift_in_spanish():
    pooled = explain_pool(np.arange(9.0).reshape(3, 3), 1, 1, 2, 2, "same", "average")
    assert describe_pool(pooled, language="es") == "(8) / 1 = **8** (3 celdas de padding ignoradas)"
    assert describe_pool(pooled) == "(8) / 1 = **8** (3 padding cells ignored)"
    settings = PoolSettings(2, method="average")
    assert settings.describe(language="es") == "average pooling 2×2, strides 2, padding 'valid'"
    report = TranslationReport((2, 2), 0.10, 0.20, 1.0, 0.9, PoolSettings(2))
    text = describe_invariance(report, language="es")
    assert text.startswith("Aquí el pooling no estabilizó el mapa: ")
    assert "0.200" in text and "0.100" in text and "(2 px)" in text


def test_a_kernel_that_sums_to_0_is_explained_in_spanish():
    _, _, note = read_kernel(KERNELS["Laplacian"].cells(), normalise=True, language="es")
    assert note == es("kernels.zero_sum_note") and note.startswith("Este kernel suma 0")


def test_figures_and_components_write_their_words_in_spanish():
    grid = plots.pixel_grid(np.eye(3), language="es")
    assert grid.data[0].hovertemplate.startswith("fila %{y}, columna %{x}: ")
    photo = plots.image_figure(np.zeros((4, 4), np.uint8), language="es")
    assert photo.data[0].hovertemplate == "fila %{y}, columna %{x}<extra></extra>"
    scale = colour_scale(plots.GRAY, 0, 1)
    view = WindowView(
        np.eye(4), np.eye(2), 3, 1, "valid", np.eye(3), None, ("a", "b", "c"), (scale, scale)
    )
    texts = explorer_data(view, (0, 0), "es")["texts"]
    assert texts["play"] == "▶ Reproducir" and texts["output_pixel"] == "Píxel de salida"
    assert explorer_data(view, (0, 0))["texts"]["play"] == "▶ Play"
    assert explorer_data(view, (0, 0), "es")["version"] != explorer_data(view, (0, 0))["version"]
    assert grids_data([("w", np.eye(2))], language="es")["texts"]["pad"] == "pad"
    assert photo_texts("es")["readout"].startswith("Señala la foto")


# The pages, driven in Spanish (slow).


def spanish_page(page: str):
    at = page_test(page)
    at.query_params["lang"] = "es"
    return at.run()


def explorer_output(at) -> np.ndarray:
    return component_data(at, "window_explorer")["output"]["values"].astype(np.float64)


@pytest.mark.slow
def test_the_home_page_in_spanish():
    at = spanish_page("lessons/home.py")
    assert not at.exception
    assert at.title[0].value == "Cómo ven los ordenadores"
    assert [s.value for s in at.subheader] == ["Lo que vemos", "Lo que ven los ordenadores"]
    source = at.radio(key="picker_source")
    assert source.label == "Imagen de entrada"
    assert source.options == [
        "Dibuja un dígito",
        "Dígito de muestra",
        "Sube una foto",
        es("picker.sources.builtin"),
    ]
    digit = datasets.load_dataset("mnist-sample").x_test[0]
    figure = chart(at, "home_grid_Gray")
    np.testing.assert_array_equal(np.asarray(figure["data"][0]["z"]), digit)
    assert figure["layout"]["title"]["text"].startswith("Valores del canal Gris, filas 0–27")
    assert "**Tensores.**" in "\n".join(m.value for m in at.markdown)

    source.set_value("Built-in image").run()
    assert not at.exception
    builtin = at.selectbox(key="picker_builtin")
    assert builtin.label == "Imagen incluida" and "Tablero de ajedrez" in builtin.options
    builtin.set_value("Checkerboard").run()
    assert not at.exception
    board = images.builtin_images()["Checkerboard"]
    np.testing.assert_array_equal(
        np.asarray(chart(at, "home_grid_Red")["data"][0]["z"]), board[:16, :16, 0]
    )
    assert [tab.label for tab in at.tabs] == ["Rojo", "Verde", "Azul"]


@pytest.mark.slow
def test_the_convolution_page_in_spanish_computes_what_english_computes():
    at = spanish_page("lessons/convolution.py")
    assert not at.exception
    assert at.title[0].value == "Convolución"
    preset = at.selectbox(key="convolution_preset")
    assert preset.label == "Kernel" and "Bordes verticales (Sobel)" in preset.options
    assert at.radio(key="convolution_operation").options == [
        "Convolución (kernel girado 180°)",
        "Correlación cruzada (Conv2D de Keras)",
    ]
    preset.set_value("Sobel vertical edges").run()
    assert not at.exception
    spanish = explorer_output(at)
    data = component_data(at, "window_explorer")
    assert data["output"]["title"] == "Salida 26×26, kernel Bordes verticales (Sobel)"
    assert data["texts"]["hint"] == es("convolution.explorer.hint")
    assert es("kernels.sobel_vertical_edges.description") in [c.value for c in at.caption]

    english = page_test("lessons/convolution.py").run()
    english.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    np.testing.assert_array_equal(spanish, explorer_output(english))
    assert component_data(english, "window_explorer")["output"]["title"] == (
        "Output 26×26, Sobel vertical edges kernel"
    )
    digit = datasets.load_dataset("mnist-sample").x_test[0].astype(float)
    sobel = KERNELS["Sobel vertical edges"].values
    np.testing.assert_allclose(spanish, scipy.signal.convolve2d(digit, sobel, "valid"))

    at.radio(key="convolution_operation").set_value(OPERATIONS[1]).run()
    assert not at.exception
    correlated = scipy.signal.correlate2d(digit, sobel, "valid")
    np.testing.assert_allclose(explorer_output(at), correlated)


@pytest.mark.slow
def test_the_pooling_page_in_spanish_computes_what_english_computes():
    at = spanish_page("lessons/pooling.py")
    assert not at.exception
    assert at.title[0].value == "Pooling"
    method = at.radio(key="pooling_method")
    assert method.label == "Método" and method.options == ["máx.", "media"]
    assert at.radio(key="pooling_direction").options == ["derecha", "abajo", "diagonal"]
    method.set_value("average").run()
    assert not at.exception
    heading = "**Average pooling de ReLU(Líneas verticales 3×3, valid): 26×26 → 13×13**"
    assert heading in [m.value for m in at.markdown]
    pooled = explorer_output(at)

    english = page_test("lessons/pooling.py").run()
    english.radio(key="pooling_method").set_value("average").run()
    np.testing.assert_array_equal(pooled, explorer_output(english))
    digit = datasets.load_dataset("mnist-sample").x_test[0]
    feature_map = np.maximum(
        scipy.signal.convolve2d(digit.astype(float), KERNELS["Vertical lines"].values, "valid"), 0
    )
    expected = feature_map.reshape(13, 2, 13, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(pooled, expected, rtol=1e-6)
    metrics = [m.label for m in at.metric]
    assert "Mapa tras el pooling: correlación antes/después del desplazamiento" in metrics
