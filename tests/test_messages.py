"""The core's messages to the learner, in English (unchanged) and in Spanish (the catalog's).

Each case triggers an error the way a page does and checks three things: it is a `ValueError`
that keeps its key (`cnnviz.messages.Invalid`); `str(error)` is the English text, byte for byte
as it was before the messages were translatable; `error.text("es")` is the Spanish catalog's
entry with the same values filled in (words among them in Spanish too).
"""

import io
import pickle

import numpy as np
import pytest
from PIL import Image

from cnnviz import datasets, i18n
from cnnviz.convolution import check_image_size, convolve2d, validate_kernel
from cnnviz.datasets import DatasetUnavailable
from cnnviz.engine.protocol import error_from_reply, error_reply
from cnnviz.images import ImageError, decode_image, to_mnist
from cnnviz.messages import Invalid, Phrase, either
from cnnviz.network.config import CNNConfig, ConvBlock, validate_config
from cnnviz.training import UnknownModel, sanitise_name
from cnnviz.training.config import TrainingConfig
from cnnviz.transfer.config import TransferConfig, validate_transfer_config
from cnnviz.transfer.own_classes import check_own_classes
from cnnviz.ui.errors import message
from cnnviz.validation import check_choice, check_image, check_position, check_real, check_whole
from tests.app.conftest import page_test


def raised(call) -> Invalid:
    with pytest.raises(ValueError) as caught:
        call()
    assert isinstance(caught.value, Invalid), f"{type(caught.value).__name__}: {caught.value}"
    return caught.value


def spanish_reference(key: str, values: dict) -> str:
    """The Spanish catalog's entry for `key` with `values` in, words among them in Spanish."""

    def spanish(value):
        if isinstance(value, Phrase):
            return spanish_reference(value.key, value.values)
        return value

    entry = i18n.catalog("es")[key]
    return entry.format(**{name: spanish(value) for name, value in values.items()})


def ppm_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PPM")
    return buffer.getvalue()


TEXT_FILE = b"These are notes, not a picture."

CASES = {
    "whole number": (
        lambda: check_whole(0, "`strides`", low=1),
        Invalid,
        "`strides` must be a whole number of at least 1. Received 0.",
    ),
    "whole number with an alternative": (
        lambda: TrainingConfig(train_size=5),
        Invalid,
        "`train_size` must be a whole number of at least 10 or None (all). Received 5.",
    ),
    "real number": (
        lambda: check_real(2.5, "`rate`", 0.0, 1.0, open_high=True),
        Invalid,
        "`rate` must be a number in [0, 1). Received 2.5.",
    ),
    "choice named in words": (
        lambda: datasets.load_dataset("cifar"),
        Invalid,
        "The dataset must be one of ('mnist-sample', 'mnist', 'fashion-mnist'). Received 'cifar'.",
    ),
    "image shape": (
        lambda: check_image(np.zeros((2, 2, 2)), channels=(1, 3, 4)),
        Invalid,
        "Expected an image of shape (height, width) or (height, width, channels) with 1, 3 or "
        "4 channels. Received shape (2, 2, 2).",
    ),
    "output position": (
        lambda: check_position(3, 0, convolve2d(np.zeros((5, 5)), np.ones((3, 3))).shape),
        Invalid,
        "The output has 3 rows and 3 columns, so row must be 0 to 2 and col 0 to 2. "
        "Received row=3, col=0.",
    ),
    "image too small to slide over": (
        lambda: check_image_size(np.zeros((2, 5))),
        Invalid,
        "The image is 5×2 pixels (width × height): too small to slide a 3×3 kernel over. "
        "Every side needs at least 3 pixels. Pick or upload a larger image.",
    ),
    "empty upload": (
        lambda: decode_image(b""),
        ImageError,
        "The file is empty. Received 0 bytes; upload a PNG, JPEG, BMP, WebP, TIFF or GIF image.",
    ),
    "unreadable upload": (
        lambda: decode_image(TEXT_FILE),
        ImageError,
        "This looks like a text file; upload a PNG, JPEG, BMP, WebP, TIFF or GIF image "
        "instead. Received 31 bytes.",
    ),
    "upload in another format": (
        lambda: decode_image(ppm_bytes()),
        ImageError,
        "Received an image in PPM format, which this app does not read. Accepted formats: "
        "PNG, JPEG, BMP, WebP, TIFF or GIF. Save it in one of them and upload it again.",
    ),
    "blank drawing": (
        lambda: to_mnist(np.zeros((28, 28), np.uint8)),
        ImageError,
        "The image is blank: draw or upload a digit. Its ink stands out from the background "
        "by 0 grey levels; at least 16 are needed.",
    ),
    "kernel cell that is not a number": (
        lambda: validate_kernel([["0", "x", "0"], [0, 1, 0], [0, 0, 0]]),
        Invalid,
        "Row 1, column 2 holds 'x', which is not a number. Type a number such as -1, 0.5 or 1/9.",
    ),
    "kernel of an even size": (
        lambda: validate_kernel(np.ones((4, 4))),
        Invalid,
        "Kernel must be square with an odd size (1, 3, 5 or 7), so that it has a centre pixel. "
        "Received shape (4, 4). Add or remove rows and columns to match.",
    ),
    "a block's setting": (
        lambda: validate_config(CNNConfig(conv_blocks=(ConvBlock(0),))),
        Invalid,
        "Block 1's Conv2D `filters` must be a whole number of at least 1. Received 0.",
    ),
    "a network that shrinks its map to nothing": (
        lambda: validate_config(CNNConfig(conv_blocks=(ConvBlock(8, kernel_size=7),) * 3)),
        Invalid,
        "Block 3's Conv2D would make the 2×2 map 0×0: a 7×7 window does not fit in it under "
        "padding='valid'. Received kernel_size=7 on a 2×2 map. Use padding='same', a smaller "
        "kernel_size, fewer blocks or a larger input.",
    ),
    "training's validation share": (
        lambda: TrainingConfig(validation_size=1.5),
        Invalid,
        "`validation_size` must be a whole number of at least 1 or a fraction in (0, 1). "
        "Received validation_size=1.5.",
    ),
    "transfer methods": (
        lambda: validate_transfer_config(TransferConfig(methods=())),
        Invalid,
        "Choose one or more methods, each once, from features, freeze, fine-tune, scratch. "
        "Received ().",
    ),
    "a missing dataset": (
        lambda: datasets.load_dataset("mnist", cache_dir="/nonexistent-keras"),
        DatasetUnavailable,
        "MNIST is not available offline: no /nonexistent-keras/datasets/mnist.npz (where "
        "keras.datasets.mnist.load_data() caches it). Use the bundled 'mnist-sample' (10,000 "
        "real MNIST digits), which works offline, or download MNIST with "
        "download_dataset('mnist') or the app's download button when online.",
    ),
    "own classes, one of them empty": (
        lambda: check_own_classes({"cats": 7, "dogs": 0}),
        Invalid,
        "Add a second class: transfer learning needs at least two classes. You have one: "
        "'cats' with 7 images; 'dogs' has none yet.",
    ),
    "a run name with no letters": (
        lambda: sanitise_name("!!!"),
        Invalid,
        "A run name needs at least one letter or digit (letters, digits, '-' and '_' are kept, "
        "up to 64 characters). Received '!!!'.",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_english_is_unchanged_and_spanish_is_the_catalogs(case):
    call, kind, english = CASES[case]
    error = raised(call)
    assert isinstance(error, kind)
    assert str(error) == english
    assert error.text("en") == english
    spanish = error.text("es")
    assert spanish == spanish_reference(error.key, error.values)
    assert spanish != english


def test_words_among_the_values_are_translated_too():
    error = raised(lambda: validate_config(CNNConfig(conv_blocks=(ConvBlock(0),))))
    assert error.text("es") == (
        "Conv2D `filters` del bloque 1 debe ser un número entero mayor o igual que 1. Se recibió 0."
    )
    error = raised(lambda: decode_image(TEXT_FILE))
    assert error.text("es") == (
        "Esto parece un archivo de texto; sube una imagen PNG, JPEG, BMP, WebP, TIFF o GIF. "
        "Se recibieron 31 bytes."
    )


def test_a_code_name_is_the_same_in_both_languages():
    error = raised(lambda: check_choice("avg", "`pooling`", ("max", None)))
    assert error.text("es") == "`pooling` debe ser uno de ('max', None). Se recibió 'avg'."


def test_either_joins_alternatives_in_each_language():
    assert str(either(["PNG", "JPEG", "GIF"])) == "PNG, JPEG or GIF"
    assert either(["PNG", "JPEG", "GIF"]).text("es") == "PNG, JPEG o GIF"
    assert either([3]).text("es") == "3"


def test_an_error_survives_pickling_with_its_key():
    error = raised(lambda: decode_image(b""))
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ImageError and copy.key == error.key
    assert (str(copy), copy.text("es")) == (str(error), error.text("es"))


def test_an_error_made_of_finished_text_is_shown_as_it_is():
    # A page may raise an ImageError with words already in its language; the engine's
    # replies rebuild an UnknownModel from its text.
    error = UnknownModel("No hay ningún modelo llamado 'x'. {not a placeholder}")
    assert error.text("es") == str(error) == "No hay ningún modelo llamado 'x'. {not a placeholder}"


@pytest.mark.slow
def test_an_unreadable_upload_is_refused_in_spanish_on_the_convolution_page():
    at = page_test("lessons/convolution.py")
    at.query_params["lang"] = "es"
    at.run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("notes.png", TEXT_FILE, "image/png").run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert (
        "No se pudo usar 'notes.png': Esto parece un archivo de texto; sube una imagen PNG, "
        "JPEG, BMP, WebP, TIFF o GIF. Se recibieron 31 bytes." in errors
    ), errors


def test_a_plain_value_error_is_shown_as_its_own_text():
    assert message(ValueError("The engine refused: no such job.")) == (
        "The engine refused: no such job."
    )


def test_an_engine_error_reaches_the_page_with_its_key():
    # The engine runs in another process: its reply carries the key and values, not the text.
    error = raised(lambda: decode_image(b""))
    reply = pickle.loads(pickle.dumps(error_reply(error)))
    received = error_from_reply(*reply[1:])
    assert isinstance(received, Invalid) and received.key == "errors.images.empty"
    assert (str(received), received.text("es")) == (str(error), error.text("es"))
    unknown = UnknownModel("errors.runs.unknown_model", name="'x'", available="lecture", skipped="")
    received = error_from_reply(*pickle.loads(pickle.dumps(error_reply(unknown)))[1:])
    assert type(received) is UnknownModel
    assert received.text("es") == "No hay ningún modelo llamado 'x'. Disponibles: lecture."
    plain = error_from_reply(*error_reply(ValueError("Received 3."))[1:])
    assert type(plain) is ValueError and str(plain) == "Received 3."
