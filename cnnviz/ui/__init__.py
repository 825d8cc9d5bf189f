"""The only Streamlit code of cnnviz: cached loaders and the widgets pages share.

Pages import `cnnviz.ui` and call what it exports; the core modules it wraps never import
Streamlit, and nothing here imports TensorFlow.
"""

from cnnviz.ui.architecture import load_config, network_editor, trained_models
from cnnviz.ui.engine import available_models, engine, engine_notice, predictions
from cnnviz.ui.loaders import (
    available_datasets,
    cached_builtin_images,
    cached_dataset,
    cached_decode,
)
from cnnviz.ui.navigation import LESSON_PATH, REPO_ROOT, lesson_path, page_setup
from cnnviz.ui.picker import SOURCES, PickedImage, canvas_key, image_picker
from cnnviz.ui.run_history import run_history
from cnnviz.ui.training import (
    augmentation_preview,
    run_name,
    training_presets,
    training_settings,
)
from cnnviz.ui.training_job import live_view, train_and_stop
from cnnviz.ui.widgets import (
    CUSTOM_KERNEL,
    KernelChoice,
    kernel_editor,
    position_slider,
    step_position,
    working_image,
)

__all__ = [
    "augmentation_preview",
    "live_view",
    "run_history",
    "run_name",
    "train_and_stop",
    "training_presets",
    "training_settings",
    "CUSTOM_KERNEL",
    "LESSON_PATH",
    "REPO_ROOT",
    "SOURCES",
    "KernelChoice",
    "PickedImage",
    "available_datasets",
    "cached_builtin_images",
    "cached_dataset",
    "cached_decode",
    "canvas_key",
    "image_picker",
    "kernel_editor",
    "lesson_path",
    "load_config",
    "trained_models",
    "available_models",
    "engine",
    "engine_notice",
    "predictions",
    "network_editor",
    "page_setup",
    "position_slider",
    "step_position",
    "working_image",
]
