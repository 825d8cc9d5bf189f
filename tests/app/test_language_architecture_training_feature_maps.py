"""The Architecture, Training and Feature-maps pages opened in Spanish (`?lang=es`): their words
come from the Spanish catalogs, their numbers are the English page's (and Keras's) numbers."""

import json

import numpy as np
import pytest

from cnnviz import network
from cnnviz.engine.protocol import JobStatus
from cnnviz.training import BatchEvent, EpochEvent, TrainingConfig, TrainingOutcome
from cnnviz.ui.training_live import LiveJob
from tests.app.conftest import chart, page_test, unpack_component

# Every test in a fresh engine that saves runs into a temporary folder (bundled models too).
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("models_dir")]
TIMEOUT = 180  # seconds for a run: the first starts the engine, on a shared two-core machine


def opened(page: str, language: str):
    at = page_test(page)
    at.query_params["lang"] = language
    return at


def texts(at) -> str:
    """Every title, paragraph, caption, label and message on the page, joined."""
    found = [
        e.value for kind in ("title", "subheader", "markdown", "caption") for e in at.get(kind)
    ]
    found += [e.value for kind in ("success", "info", "warning", "error") for e in at.get(kind)]
    for kind in ("button", "selectbox", "number_input", "slider", "toggle", "checkbox", "radio"):
        found += [element.label for element in at.get(kind)]
    return "\n".join(found)


def frame(at, column: str):
    """The page's table with a column of that name (a table's key does not reach AppTest)."""
    return next(e.value for e in at.dataframe if column in getattr(e.value, "columns", ()))


def test_the_architecture_page_in_spanish_has_the_lecture_numbers():
    english, spanish = (
        opened("lessons/architecture.py", "en"),
        opened("lessons/architecture.py", "es"),
    )
    english.run(timeout=TIMEOUT), spanish.run(timeout=TIMEOUT)
    assert not spanish.exception and not english.exception
    assert spanish.title[0].value == "Arquitectura"
    shown = texts(spanish)
    for words in (
        "Por qué una CNN necesita muchos menos parámetros que un MLP",
        "Práctica de diseño: ¿cabe un paso de entrenamiento en memoria?",
        "**Parámetros totales: 30,762** (120.2 KB)",
        "Parámetros entrenables: 30,762",
        "Volver al modelo de la clase",
        "Bloques convolucionales",
        "**Bloque 2**",
    ):
        assert words in shown, words
    table = frame(spanish, "Campo receptivo")
    assert list(table.columns) == [
        "Capa (tipo)",
        "Forma de salida",
        "Parámetros",
        "Campo receptivo",
    ]
    assert list(table["Parámetros"]) == list(frame(english, "Receptive field")["Param #"])
    assert sum(table["Parámetros"]) == sum(network.parameter_totals(network.lecture_config()))
    metrics = {metric.label: metric.value for metric in spanish.metric}
    assert metrics["Capa densa: 32·32·1·256 + 256"] == "262,400"
    assert metrics["Capa convolucional: 3·3·1·256 + 256"] == "2,560"
    assert [m.value for m in spanish.metric] == [m.value for m in english.metric]
    remedies = frame(spanish, "Remedio")
    assert list(remedies.columns) == ["Remedio", "Ahorra", "Nuevo total"]
    assert "Reducir a la mitad el tamaño de lote (128 → 64)" in set(remedies["Remedio"])
    assert list(remedies["Ahorra"]) == list(frame(english, "Saves")["Saves"])
    options = spanish.selectbox(key="architecture_net_input").options
    assert options == ["Dígito de MNIST, 28×28×1", "Foto tipo CIFAR, 32×32×3", "Foto, 64×64×3"]
    diagram = chart(spanish, "architecture_diagram")
    assert diagram["data"][0]["name"] == "alto del mapa"


def test_a_design_hint_in_spanish():
    at = opened("lessons/architecture.py", "es").run(timeout=TIMEOUT)
    at.selectbox(key="architecture_net_block0_kernel").set_value(4).run(timeout=TIMEOUT)
    assert not at.exception
    hints = [warning.value for warning in at.warning]
    assert any(hint.startswith("El bloque 1 usa un kernel par de 4×4") for hint in hints), hints
    changed = network.CNNConfig(
        conv_blocks=(network.ConvBlock(16, kernel_size=4), network.ConvBlock(32))
    )
    assert f"**Parámetros totales: {sum(network.parameter_totals(changed)):,}**" in texts(at)


def test_the_training_page_in_spanish_lists_the_same_runs():
    english, spanish = opened("lessons/training.py", "en"), opened("lessons/training.py", "es")
    english.run(timeout=TIMEOUT), spanish.run(timeout=TIMEOUT)
    assert not spanish.exception and not spanish.error
    assert spanish.title[0].value == "Entrenamiento"
    labels = [button.label for button in spanish.button]
    assert labels[:3] == ["La clase", "Ver el sobreajuste", "…su gemelo regularizado"]
    assert spanish.button(key="training_preset_1").help.startswith(
        "Solo 500 imágenes de entrenamiento durante 100 épocas"
    )
    shown = texts(spanish)
    for words in ("Ajustes", "Ejecuciones hasta ahora", "Tasa de aprendizaje", "Entrenar"):
        assert words in shown, words
    schedule = spanish.selectbox(key="training_schedule")
    assert schedule.options == ["constante", "coseno"] and schedule.value == "constant"
    runs, runs_en = (
        frame(spanish, "Exactitud en prueba (%)"),
        frame(english, "Held-out accuracy (%)"),
    )
    assert list(runs.columns)[:3] == ["Ejecución", "Exactitud en prueba (%)", "Épocas"]
    assert list(runs["Exactitud en prueba (%)"]) == list(runs_en["Held-out accuracy (%)"])
    assert "lecture (incluido)" in set(runs["Ejecución"])
    confusion = chart(spanish, "training_confusion")
    assert confusion["layout"]["yaxis"]["title"]["text"] == "clase real"
    english_confusion = chart(english, "training_confusion")
    np.testing.assert_array_equal(confusion["data"][0]["z"], english_confusion["data"][0]["z"])


def finished_job(config: TrainingConfig) -> LiveJob:
    """A one-epoch run as the engine leaves it once finished: two batch events, one epoch."""
    batches = [
        BatchEvent(
            epoch=1,
            batch=b,
            batches=2,
            loss=loss,
            accuracy=accuracy,
            elapsed=float(b),
            samples_per_second=640.0,
            learning_rate=0.001,
        )
        for b, loss, accuracy in ((1, 2.0, 0.25), (2, 1.0, 0.5))
    ]
    epoch = EpochEvent(
        epoch=1,
        epochs=1,
        loss=1.5,
        accuracy=0.375,
        val_loss=1.25,
        val_accuracy=0.625,
        best_epoch=1,
        elapsed=2.0,
        samples_per_second=640.0,
        learning_rate=0.001,
    )
    outcome = TrainingOutcome(
        run_name="corto",
        saved=True,
        paths={},
        test_accuracy=0.6125,
        test_loss=1.2,
        best_epoch=1,
        epochs_completed=1,
        stopped_by=None,
        elapsed=75.0,
        samples_per_second=640.0,
        confusion_matrix=[],
        misclassified=[],
        history=[epoch],
    )
    status = JobStatus(
        id="j",
        kind="train",
        session="s",
        state="finished",
        queue_position=None,
        events=[],
        event_count=3,
        result=outcome,
        error=None,
    )
    filters = np.random.default_rng(0).normal(size=(3, 3, 1, 16)).astype(np.float32)
    return LiveJob("j", "corto", config, events=[*batches, epoch], filters=filters, status=status)


def test_a_finished_run_is_reported_in_spanish():
    at = opened("lessons/training.py", "es").run(timeout=TIMEOUT)
    config = TrainingConfig(epochs=1)
    at.session_state["training_job"] = finished_job(config)
    at.session_state["training_epochs"] = 1
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert at.success[0].value == (
        "Terminadas 1 época(s) en 1 min 15 s; la mejor, la época 1, se guarda como la ejecución "
        "`corto`: exactitud **61.3%** en las imágenes de prueba de mnist-sample."
    )
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics == {
        "Pérdida de entrenamiento": "1.000",
        "Exactitud de entrenamiento": "50.0%",
        "Exactitud de validación": "62.5%",
        "Brecha de generalización (pérdida)": "-0.250",
        "Imágenes por segundo": "640",
    }
    curves = chart(at, "training_curves")
    losses = next(trace for trace in curves["data"] if trace["name"] == "pérdida, lotes")
    assert list(losses["y"]) == [2.0, 1.0] and list(losses["x"]) == [0.5, 1.0]
    titles = [note["text"] for note in curves["layout"]["annotations"]][:2]
    assert titles == ["Pérdida", "Exactitud"]
    filters = chart(at, "training_filters")
    assert filters["layout"]["title"]["text"] == "Filtros de la primera capa tras la época 1"


def overview(at) -> dict:
    (found,) = [
        e for e in at.get("bidi_component") if e.proto.component_name == "cnnviz.network_overview"
    ]
    return unpack_component(json.loads(found.proto.json))


def feature_maps(language: str, model: str = "lecture"):
    at = opened("lessons/feature_maps.py", language)
    at.session_state["feature_maps_model"] = model
    return at


def test_the_feature_maps_page_in_spanish_predicts_the_same():
    english, spanish = (
        feature_maps("en").run(timeout=TIMEOUT),
        feature_maps("es").run(timeout=TIMEOUT),
    )
    assert not spanish.exception
    assert spanish.title[0].value == "Dentro de la red"
    assert spanish.metric[0].label == "Predicción"
    assert spanish.metric[0].value == english.metric[0].value
    assert spanish.metric[0].delta.endswith(" seguro")
    assert [tab.label for tab in spanish.tabs] == [
        "Un valor, calculado a mano",
        "Filtros aprendidos",
        "Qué llevó a la decisión",
    ]
    bars, bars_en = (
        chart(spanish, "feature_maps_probabilities"),
        chart(english, "feature_maps_probabilities"),
    )
    assert bars["layout"]["title"]["text"] == "Probabilidades de cada clase"
    np.testing.assert_array_equal(bars["data"][0]["y"], bars_en["data"][0]["y"])
    words = overview(spanish)["texts"]
    assert words["input"] == "La entrada" and words["point"] == "Señala cualquier celda."
    assert overview(spanish)["layers"][0]["title"] == "conv2d_1 (Conv2D) → (None, 26, 26, 16)"
    assert "Calculado a mano: **" in spanish.success[0].value
    assert spanish.success[0].value.split("**")[1] == english.success[0].value.split("**")[1]
    shown = texts(spanish)
    for words in ("Escalar cada mapa por separado", "Mapa o neurona", "El valor más activo"):
        assert words in shown, words


def test_the_filters_and_the_evidence_tabs_in_spanish():
    at = feature_maps("es")
    at.session_state["feature_maps_tab"] = "Filtros aprendidos"
    at.run(timeout=TIMEOUT)
    assert not at.exception
    title = chart(at, "feature_maps_filters_conv2d_1")["layout"]["title"]["text"]
    assert title == "conv2d_1: 16 filtros aprendidos (promediados sobre los canales de entrada)"
    assert at.toggle(key="feature_maps_do_maximise").label.startswith("Calcularlo")
    at.session_state["feature_maps_tab"] = "Qué llevó a la decisión"
    at.run(timeout=TIMEOUT)
    assert not at.exception
    assert "Robustez: el mismo dígito, desplazado, girado, escalado, con ruido" in texts(at)
    table = frame(at, "Cambia la respuesta")
    assert list(table.columns) == [
        "Variante",
        "Predicción",
        "Confianza",
        "Cambia la respuesta",
        "Confianza en la primera respuesta",
    ]
    assert list(table["Variante"][:2]) == ["original", "desplazada 2 px a la derecha"]
    assert len(table) == 17


def test_a_tab_opened_in_english_stays_open_in_spanish():
    at = feature_maps("es")
    at.session_state["feature_maps_tab"] = "Learned filters"
    at.run(timeout=TIMEOUT)
    assert at.session_state["feature_maps_tab"] == "Filtros aprendidos"
    assert chart(at, "feature_maps_filters_conv2d_1") is not None


def test_fashion_mnist_classes_are_named_in_spanish():
    at = feature_maps("es", "fashion").run(timeout=TIMEOUT)
    assert not at.exception
    names = list(chart(at, "feature_maps_probabilities")["data"][0]["x"])
    assert names == [
        "Camiseta/top",
        "Pantalón",
        "Jersey",
        "Vestido",
        "Abrigo",
        "Sandalia",
        "Camisa",
        "Zapatilla",
        "Bolso",
        "Botín",
    ]
    assert overview(at)["class_names"] == names
    assert at.metric[0].value in names
