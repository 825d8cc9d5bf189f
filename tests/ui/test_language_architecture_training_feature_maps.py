"""The Architecture, Training and Feature-maps pages' words in Spanish, from the core to the
browser components: every text changes language, every number stays the same.

The pages themselves are rendered in Spanish by the AppTests of the same name in `tests/app`;
here the functions those pages call are given `language="es"` and checked against the Spanish
catalogs' own wording, written out (an independent reference), and against their English
results.
"""

import importlib

import numpy as np
import pytest

from cnnviz import i18n, network, plots, training
from cnnviz.datasets import FASHION_CLASS_NAMES
from cnnviz.images.digits import to_mnist, unlike_mnist
from cnnviz.network import CNNConfig, ConvBlock, LayerActivation, lecture_config
from cnnviz.network.robustness import original_label
from cnnviz.training import PRESETS, TrainingConfig, TrainingOutcome, describe_outcome
from cnnviz.training.runs import ModelInfo
from cnnviz.ui.components.map_gallery import gallery_data
from cnnviz.ui.components.network_overview import overview_data

FASHION_IN_SPANISH = [
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


def test_the_summary_table_names_its_columns_in_spanish_with_the_same_numbers():
    rows = network.summary_rows(lecture_config())
    english = network.summary_table(rows)
    spanish = network.summary_table(rows, language="es")
    assert list(spanish[0]) == ["Capa (tipo)", "Forma de salida", "Parámetros", "Campo receptivo"]
    assert [row["Parámetros"] for row in spanish] == [row["Param #"] for row in english]
    assert [row["Parámetros"] for row in spanish] == [160, 0, 4640, 0, 0, 25632, 330]
    assert sum(row["Parámetros"] for row in spanish) == 30_762
    assert spanish[0]["Forma de salida"] == "(None, 26, 26, 16)"


def test_memory_parts_and_remedies_in_spanish_keep_their_bytes():
    config = lecture_config()
    memory = network.training_memory(config, 128)
    english, spanish = memory.parts("adam"), memory.parts("adam", language="es")
    assert list(spanish.values()) == list(english.values())
    assert list(spanish)[:4] == ["pesos", "gradientes", "estado de adam", "activaciones: entrada"]
    assert "activaciones: conv2d_1" in spanish
    remedies = network.memory_remedies(config, 128, language="es")
    assert [r.saves for r in remedies] == [r.saves for r in network.memory_remedies(config, 128)]
    descriptions = {remedy.description for remedy in remedies}
    assert "Reducir a la mitad el tamaño de lote (128 → 64)" in descriptions
    assert "Reducir a la mitad los canales de cada bloque convolucional (16, 32 → 8, 16)" in (
        descriptions
    )


def test_design_hints_speak_spanish_with_the_config_numbers():
    config = CNNConfig(
        conv_blocks=(ConvBlock(32, kernel_size=4), ConvBlock(16)), dropout=0.7, l2=0.05
    )
    english = network.design_hints(config)
    spanish = network.design_hints(config, language="es")
    assert len(spanish) == len(english) == 4
    assert spanish[0].startswith("El bloque 1 usa un kernel par de 4×4")
    assert spanish[1].startswith("El bloque 2 tiene menos filtros (16) que el bloque 1 (32).")
    assert spanish[2].startswith("Dropout a 0.7 silencia la mayoría de las neuronas")
    assert spanish[3].startswith("Una L2 de 0.05 es fuerte")
    assert english[0].startswith("Block 1 uses an even 4×4 kernel")


def test_robustness_variants_are_named_in_spanish_and_still_found():
    image = np.zeros((28, 28), np.float32)
    image[8:20, 12:16] = 1.0
    english = network.probe_inputs(image)
    spanish = network.probe_inputs(image, language="es")
    for (_, left), (_, right) in zip(english, spanish, strict=True):
        np.testing.assert_array_equal(left, right)
    labels = [label for label, _ in spanish]
    assert labels[:2] == [original_label("es"), "desplazada 2 px a la derecha"]
    assert "girada 30° en sentido horario" in labels
    assert "ruido gaussiano σ=0.3" in labels
    probabilities = np.tile([0.1, 0.9], (len(labels), 1))
    probabilities[1] = [0.8, 0.2]
    rows = network.probe_table(labels, probabilities, ["0", "1"], language="es")
    assert [row.changed for row in rows[:3]] == [False, True, False]
    with pytest.raises(ValueError, match="One label must be 'original'"):
        network.probe_table(labels[1:], probabilities[1:], ["0", "1"])


def test_a_run_ending_is_told_in_spanish_with_its_numbers():
    outcome = TrainingOutcome(
        run_name="r",
        saved=True,
        paths={},
        test_accuracy=0.9561,
        test_loss=0.2,
        best_epoch=3,
        epochs_completed=3,
        stopped_by="user",
        elapsed=12.0,
        samples_per_second=900.0,
        confusion_matrix=[],
        misclassified=[],
        history=[],
        stopped_at=(4, 2),
    )
    level, message = describe_outcome(outcome, TrainingConfig(epochs=20), language="es")
    assert level == describe_outcome(outcome, TrainingConfig(epochs=20))[0] == "warning"
    assert message == (
        "Detenido durante la época 4 de 20 (tras el lote 2): 3 época(s) completa(s); la mejor, "
        "la época 3, se guarda como la ejecución `r`: exactitud **95.6%** en las imágenes de "
        "prueba de mnist-sample."
    )
    finished = describe_outcome(
        TrainingOutcome(**{**outcome.__dict__, "stopped_by": None, "stopped_at": None}),
        TrainingConfig(epochs=3),
        language="es",
    )
    assert finished == ("success", finished[1])
    assert finished[1].startswith("Terminadas 3 época(s) en 12 s; la mejor, la época 3")


def test_the_runs_table_row_in_spanish_has_the_same_values():
    info = ModelInfo(
        "r",
        "bundled",
        "r.keras",
        {
            "test_accuracy": 0.9561,
            "epochs_completed": 12,
            "config": {
                "epochs": 30,
                "model": {"batch_norm": True, "dropout": 0.3},
                "augmentation": {"translation": 0.05},
                "optimizer": "adam",
                "learning_rate": 0.001,
                "batch_size": 128,
                "learning_rate_schedule": "cosine",
            },
        },
    )
    english = training.run_summary(info)
    spanish = training.run_summary(info, language="es")
    assert list(english.values())[1] == list(spanish.values())[1] == 95.61
    assert spanish["Ejecución"] == "r (incluido)"
    assert spanish["Épocas"] == "12 de 30"
    assert spanish["Regularizadores"] == "normalización por lotes, dropout 0.3"
    assert spanish["Aumento de datos"] == "desplazamiento 0.05"
    assert spanish["Optimizador"] == "adam 0.001, lote 128, coseno"
    assert english["Optimiser"] == "adam 0.001, batch 128, cosine"


def test_fashion_mnist_classes_are_translated_and_other_names_kept():
    assert training.class_labels(FASHION_CLASS_NAMES, "es") == FASHION_IN_SPANISH
    assert training.class_labels(FASHION_CLASS_NAMES, "en") == list(FASHION_CLASS_NAMES)
    assert training.class_labels(["0", "7", "cat"], "es") == ["0", "7", "cat"]


def test_presets_have_spanish_words_and_keep_the_english_for_the_command_line():
    over = PRESETS["over-fitting"]
    assert over.label == "See over-fitting" and over.label_in("es") == "Ver el sobreajuste"
    assert over.lesson.startswith("Only 500 training images for 100 epochs")
    assert over.lesson_in("es").startswith("Solo 500 imágenes de entrenamiento durante 100 épocas")
    for preset in PRESETS.values():
        assert preset.label_in("es") != preset.label or preset.name == "fashion"
        assert "{" not in preset.lesson_in("es")


def test_the_charts_titles_and_axes_are_in_spanish():
    curves = plots.training_curves([], [], language="es")
    titles = [annotation.text for annotation in curves.layout.annotations]
    assert titles == [
        "Pérdida",
        "Exactitud",
        "Brecha de generalización: pérdida de validación − de entrenamiento",
    ]
    matrix = plots.confusion_matrix([[3, 1], [0, 4]], ["a", "b"], language="es")
    assert matrix.layout.yaxis.title.text == "clase real"
    assert matrix.layout.xaxis.title.text == "clase predicha"
    np.testing.assert_array_equal(matrix.data[0].z, [[3, 1], [0, 4]])
    overlay = plots.run_overlay({}, "val_loss", language="es")
    assert overlay.layout.yaxis.title.text == "pérdida de validación"
    bars = plots.probability_bars(np.array([0.25, 0.75]), ["a", "b"], language="es")
    assert bars.layout.title.text == "Probabilidades de cada clase"
    shapes = plots.shape_diagram(network.shape_series(lecture_config()), language="es")
    assert shapes.data[0].name == "alto del mapa"
    assert any("= 800 neuronas" in str(note.text) for note in shapes.layout.annotations)
    seen = plots.input_figure(np.zeros((28, 28)), language="es")
    assert seen.layout.title.text.startswith("Lo que ve la red")


def test_mnist_preprocessing_and_its_caveat_in_spanish():
    drawing = np.full((60, 60), 255, np.uint8)
    drawing[10:50, 28:34] = 0
    captions = [caption for caption, _ in to_mnist(drawing).as_list("es")]
    assert captions == [
        "Escala de grises",
        "Invertida",
        "Recortada a la tinta",
        "Escalada a 20 px",
        "Centrada en 28×28",
    ]
    reason = unlike_mnist(np.ones((28, 28), np.float32), "es")
    assert reason == (
        "el 100.0% de sus píxeles son tinta, cuando los dígitos de MNIST tienen del 3% al 30%"
    )


@pytest.fixture
def spanish_session(monkeypatch):
    """The components ask the session for its language: this session's is Spanish."""
    module = importlib.import_module("cnnviz.ui.language")  # `cnnviz.ui.language` is a function
    monkeypatch.setattr(module, "language", lambda: "es")


def test_the_components_get_their_words_in_spanish(spanish_session):
    gallery = gallery_data({"a": np.eye(3), "b": -np.eye(3)}, 2, shared_scale=False)
    assert gallery["texts"]["point"] == "Señala un mapa para leer sus valores."
    assert gallery["texts"]["row"] == "fila" and gallery["texts"]["red"] == "rojo"
    assert gallery["scale_title"] == "Escala de color, cada mapa por separado"
    assert gallery["maps"][0]["subtitle"] == "máx. |valor| 1"
    output = np.zeros((2,), np.float32)
    layer = LayerActivation("output", "Dense", output, {}, {"activation": "softmax"})
    data = overview_data([layer], np.zeros((28, 28), np.float32), ["0", "1"], False, None, True)
    assert data["texts"]["input"] == "La entrada"
    assert data["texts"]["unit"] == "neurona"
    spanish = {key: i18n.translate("es", f"feature_maps.overview.{key}") for key in data["texts"]}
    assert data["texts"] == spanish
