"""The Transfer learning page in Spanish: its words from the catalog `transfer`, its numbers as
in English.

The core's and the plots' words are checked against the catalogs directly (fast); the page is
driven with `?lang=es` like a learner (slow): the choices, the frozen-layer counts, the VGG16
section's figures and sentences, the missing ImageNet files, the own-classes form and a short
run to its results table.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from cnnviz import i18n
from cnnviz.network.vgg16 import vgg16_rows
from cnnviz.plots.transfer import network_figure
from cnnviz.plots.transfer_results import layer_accuracy, method_curves
from cnnviz.transfer import imagenet
from cnnviz.transfer.config import (
    METHOD_LABELS,
    METHODS,
    TARGETS,
    method_label,
    target_label,
)
from cnnviz.transfer.network_cost import vgg16_and_lecture_cnn
from cnnviz.transfer.results import (
    LayerScore,
    MethodResult,
    TransferEpoch,
    TransferOutcome,
    results_column,
    results_table,
)
from tests.app.conftest import chart, models_dir, page_test  # noqa: F401 (a fixture)

PAGE = "lessons/transfer.py"
WAIT_SECONDS = 600  # a guard against a hung job: the engine starts slowly on a busy machine


def es(key: str, **values) -> str:
    return i18n.translate("es", f"transfer.{key}", **values)


# The core and the plots (fast).


def test_the_english_catalog_says_what_the_core_said():
    assert {method: method_label(method) for method in METHODS} == METHOD_LABELS
    assert {target: target_label(target) for target in TARGETS} == TARGETS
    for role, file in imagenet.IMAGENET_FILES.items():
        assert i18n.translate("en", f"transfer.imagenet.files.{role}.description") == (
            file.description
        )
        assert i18n.translate("en", f"transfer.imagenet.files.{role}.purpose") == file.purpose


def test_methods_and_targets_have_spanish_names():
    assert method_label("fine-tune", language="es") == "Ajuste fino en dos fases"
    assert method_label("scratch", language="es") == "Desde cero (referencia)"
    assert target_label("own", language="es") == "Tus propias clases (fotos)"
    spanish = [method_label(method, language="es") for method in METHODS]
    assert len(set(spanish)) == len(METHODS)
    assert not set(spanish) & set(METHOD_LABELS.values())


def _outcome() -> TransferOutcome:
    matrix = np.eye(5, dtype=np.int64)
    results = [
        MethodResult("features", 0.9125, matrix, 1.25),
        MethodResult("scratch", 0.6, matrix, 2.0),
    ]
    return TransferOutcome(
        config={"per_class": 5},
        source="digits-0-4",
        target="digits-5-9",
        class_names=tuple("56789"),
        train_size=25,
        test_size=100,
        network={},
        cut_layer="flatten",
        results=results,
        test_labels=np.zeros(100, dtype=np.int64),
    )


def test_the_results_table_in_spanish_has_spanish_columns_and_the_same_numbers():
    english = results_table(_outcome())
    spanish = results_table(_outcome(), language="es")
    assert list(spanish[0]) == [
        "Método",
        "Exactitud de prueba (%)",
        "Ganancia sobre la referencia (puntos)",
        "Parámetros entrenados",
        "Épocas",
        "Tiempo (s)",
    ]
    assert [row["Método"] for row in spanish] == [
        "Características + SVM",
        "Desde cero (referencia)",
    ]
    for row_en, row_es in zip(english, spanish, strict=True):
        assert list(row_en.values())[1:] == list(row_es.values())[1:]
    assert spanish[0][results_column("gain", language="es")] == pytest.approx(31.25)


def test_a_missing_imagenet_file_is_told_in_spanish_with_its_size_and_path(homes):
    english = imagenet.file_status("weights")
    spanish = imagenet.file_status("weights", language="es")
    assert spanish.path == english.path and spanish.found_bytes is None
    assert spanish.message == (
        f"Los pesos de ImageNet de VGG16 (553.5 MB) no están en este equipo; se guardarían en "
        f"la caché en {spanish.path}. Hacen falta para clasificar una foto en las mil clases "
        "de ImageNet."
    )


def test_a_damaged_imagenet_file_is_told_in_spanish_with_both_sizes(homes):
    path = homes / "keras" / "models" / imagenet.IMAGENET_FILES["class_index"].filename
    path.parent.mkdir(parents=True)
    path.write_bytes(b"x" * 1000)
    message = imagenet.file_status("class_index", language="es").message
    assert message.startswith("Los nombres de las clases de ImageNet (35.4 kB) en ")
    assert "1,000 bytes en lugar de 35,363" in message


def test_the_vgg16_figure_speaks_spanish_and_keeps_its_numbers():
    english = network_figure(vgg16_rows(), "t")
    spanish = network_figure(vgg16_rows(), "t", language="es")
    legend = [trace.name for trace in spanish.data[1:]]
    assert legend == [
        "convolución + ReLU",
        "max pooling",
        "totalmente conectada + ReLU",
        "softmax",
    ]
    hover_en, hover_es = english.data[0].hovertext, spanish.data[0].hovertext
    assert hover_es[-1] == "predictions (Dense)<br>salida 1000<br>4,097,000 parámetros"
    numbers = [text.replace("output", "").replace("parameters", "") for text in hover_en]
    assert numbers == [text.replace("salida", "").replace("parámetros", "") for text in hover_es]


def test_the_curves_and_layer_scores_speak_spanish():
    epochs = [
        TransferEpoch("fine-tune", phase, epoch, 4, 0.5, 0.8, 0.6, 0.7, 1e-3, 1.0)
        for phase, epoch in ((1, 1), (1, 2), (2, 3), (2, 4))
    ]
    curves = method_curves(epochs, boundary=2, language="es")
    assert curves.data[0].name == "Ajuste fino en dos fases"
    assert curves.layout.xaxis.title.text == "época"
    assert curves.layout.yaxis.title.text == "exactitud de prueba"
    assert curves.layout.annotations[0].text == "fase 2: descongeladas, tasa de aprendizaje ÷ 10"
    assert method_curves(epochs, metric="loss", language="es").layout.yaxis.title.text == "pérdida"
    scores = [LayerScore("conv2d_1", "Conv2D", 10816, 0.75, 0.5, 0.1)]
    figure = layer_accuracy(scores, "conv2d_1", language="es")
    assert [trace.name for trace in figure.data] == ["SVM (kernel RBF)", "Regresión logística"]
    assert "números" in figure.data[0].hovertemplate
    assert figure.layout.xaxis.title.text == "características de la capa"
    assert list(figure.data[0].y) == [0.75]


def test_the_lecture_cnn_is_named_in_spanish_at_the_same_cost():
    vgg16_en, lecture_en = vgg16_and_lecture_cnn()
    vgg16_es, lecture_es = vgg16_and_lecture_cnn(language="es")
    assert lecture_en.name == "the lecture's MNIST CNN"
    assert lecture_es.name == "CNN de MNIST de la lección"
    assert (lecture_es.parameters, vgg16_es.parameters) == (30_762, 138_357_544)
    assert vgg16_es == vgg16_en


# The page, driven in Spanish (slow).


def spanish_page():
    at = page_test(PAGE)
    at.query_params["lang"] = "es"
    return at.run()


def texts(elements) -> list[str]:
    return [element.value for element in elements]


@pytest.mark.slow
@pytest.mark.usefixtures("models_dir")
def test_the_page_in_spanish_shows_spanish_words_and_the_same_numbers(homes):
    at = spanish_page()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, texts(at.error)
    assert at.title[0].value == "Aprendizaje por transferencia"
    assert at.radio(key="transfer_target").options == [
        "Dígitos 5–9 (la muestra de MNIST incluida)",
        "Escritura a mano de otra fuente (los dígitos 8×8 de scikit-learn)",
        "Fashion-MNIST (ropa)",
        "Tus propias clases (fotos)",
    ]
    assert at.radio(key="transfer_target").value == "digits-5-9"
    assert at.multiselect(key="transfer_methods").label == "Métodos que comparar"
    assert at.selectbox(key="transfer_unfreeze").options == [
        "todas las capas",
        "la última capa",
        "las últimas 2 capas",
        "las últimas 3 capas",
    ]
    # The frozen layers' counts, as in English (4,800 frozen of 30,597 with a 5-class head).
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {
        "Parámetros en total": "30,597",
        "Parámetros entrenables": "25,797",
        "Parámetros no entrenables": "4,800",
    }
    frozen = next(frame.value for frame in at.dataframe if "Congelada" in frame.value.columns)
    assert frozen["Capa"].tolist()[:2] == ["conv2d_1", "max_pooling2d_1"]
    assert frozen["Pesos"].tolist()[0] == "de la red de origen"
    assert frozen["Pesos"].tolist()[-1] == "nuevos (aleatorios)"
    # VGG16: the figure's title, the caption and the comparison, numbers as in English.
    figure = chart(at, "transfer_vgg16_figure")
    assert figure["layout"]["title"]["text"] == "VGG16: 138,357,544 parámetros"
    assert any("tienen 138,357,544 parámetros" in text for text in texts(at.caption))
    costs = next(frame.value for frame in at.dataframe if "Red" in frame.value.columns)
    assert costs["Parámetros"].tolist() == ["138,357,544", "30,762"]
    assert costs["Mult.-acum. por imagen"].tolist() == [
        "15,470,264,320",
        "680,832",
    ]
    assert costs["Red"].tolist() == ["VGG16", "CNN de MNIST de la lección"]
    comparison = next(text for text in texts(at.markdown) if "veces** los parámetros" in text)
    assert "**4,498 veces**" in comparison
    assert "22,723 veces las 680,832 de la lección" in comparison
    # The ImageNet files are missing: said in Spanish, with their sizes and cache paths.
    weights = homes / "keras" / "models" / imagenet.IMAGENET_FILES["weights"].filename
    assert any(
        "(553.5 MB) no están en este equipo" in t and str(weights) in t for t in texts(at.info)
    )
    labels = {button.key: button.label for button in at.button}
    assert labels["transfer_imagenet_download_classify"] == (
        "Descargar los pesos de ImageNet y los nombres de las clases (553.5 MB)"
    )
    assert labels["transfer_run"] == "Ejecutar" and labels["transfer_stop"] == "Detener"


@pytest.mark.slow
@pytest.mark.usefixtures("models_dir")
def test_the_own_classes_form_in_spanish(homes):
    at = spanish_page()
    at.radio(key="transfer_target").set_value("own").run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.text_input(key="transfer_own_name_1").value == "clase 1"
    uploaders = [u.label for u in at.get("file_uploader") if "transfer_own_upload_1" in u.proto.id]
    assert uploaders and uploaders[0].startswith("Añade imágenes a clase 1 (PNG")
    assert es("own.add_images", images=5, classes=2) in texts(at.info)
    assert at.button(key="transfer_own_add").label == "Añadir una clase"


def results_frame(at):
    column = results_column("method", language="es")
    frames = [frame.value for frame in at.dataframe if column in frame.value.columns]
    return frames[0] if frames else None


@pytest.mark.slow
@pytest.mark.usefixtures("models_dir")
def test_a_run_in_spanish_reports_its_results_in_spanish(homes):
    at = spanish_page()
    at.multiselect(key="transfer_methods").set_value(["features", "freeze"])
    at.select_slider(key="transfer_per_class").set_value(5)
    at.number_input(key="transfer_epochs").set_value(2)
    at.run()
    at.button(key="transfer_run").click().run()
    deadline = time.monotonic() + WAIT_SECONDS
    while results_frame(at) is None:
        assert time.monotonic() < deadline, "the transfer job did not end in time"
        assert not at.exception and not at.error, texts(at.error)
        time.sleep(0.5)
        at.run()
    table = results_frame(at)
    assert table["Método"].tolist() == ["Características + SVM", "Capas congeladas + cabeza nueva"]
    assert table["Exactitud de prueba (%)"].between(0, 100).all()
    curves = chart(at, "transfer_curves")
    assert [trace["name"] for trace in curves["data"]] == ["Capas congeladas + cabeza nueva"]
    assert curves["layout"]["xaxis"]["title"]["text"] == "época"
    layers = chart(at, "transfer_layer_accuracy")
    assert layers["layout"]["yaxis"]["title"]["text"] == "exactitud de prueba"
    assert any(
        text.startswith("25 imágenes de entrenamiento (5 por clase)") for text in texts(at.caption)
    )
    assert at.radio(key="transfer_inspect").options == [
        "Características + SVM",
        "Capas congeladas + cabeza nueva",
    ]
    projection = chart(at, "transfer_projection")
    assert projection["layout"]["title"]["text"] == "Imágenes de prueba en flatten, por clase"
    assert es("save.no_network") in texts(at.caption)
    at.radio(key="transfer_inspect").set_value("freeze").run()
    layers_table = next(
        frame.value for frame in at.dataframe if "Entrenable" in frame.value.columns
    )
    assert set(layers_table["Entrenable"]) == {"Sí", "No"}
    assert layers_table["Capa"].tolist()[-1] == "output (nueva)"
    assert at.text_input(key="transfer_run_name").label == "Nombre de la ejecución"
