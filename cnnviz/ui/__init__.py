"""The only Streamlit code of cnnviz: the lesson's pages, widgets, views and cached loaders.

Pages import `cnnviz.ui` and the core, and call what this package exports; nothing here imports
TensorFlow (the engine runs it). One module per concern:

- `navigation`: the lesson's pages in order (`LESSON`), and links between them.
- `picker`: the shared image picker (draw, dataset digit, upload, built-in), kept across pages.
- `widgets`: the kernel editor, output-position sliders, the channel picker.
- `loaders`: datasets, images and uploads, each made once per server.
- `model_engine`: the engine client and its cached calls, errors shown on the page.
- `session_keys`: the session-state keys that cross pages.
- `exports`: download buttons: a kernel, a map or a filter grid as PNG and CSV, a run as a
  Keras script.
- `guided`, `guided_experiments`: the guided lesson's steps, progress, questions and
  experiments.
- `language`: the session's language and `t`, its words; `errors`: the core's errors in it;
  `presenter`: presenter mode, links that hide controls, and the clicker's steps.
- `share`: a page's settings kept in its link, and the "Copy link" popover (`share_pages`
  and `share_picker` declare the settings, `share_settings` and `share_codecs` write and read
  them); `camera`: webcam snapshots.
- `home`, `convolution`, `pooling`, `architecture`, `feature_maps`: the views of those pages
  (`convolution` also holds what the Pooling page shares with it; `pooling` the feature map the
  Convolution page hands on); `worked_example`: one value of a trained network computed by hand.
- `architecture_editor`: every layer setting of a CNN as widgets, and loading trained ones.
- `training_setup`, `training_live`, `training_runs`: the Training page's presets and
  settings, the live job, and past runs.
- `transfer_setup`, `transfer_own`, `transfer_live`, `transfer_save`, `transfer_photos`,
  `transfer_imagenet`: the Transfer-learning page's choices, the learner's own classes, the
  live job and its results, saving a trained network, the learner's photos through VGG16, and
  VGG16 with its ImageNet weights.
"""

from cnnviz.ui.architecture import memory_estimate, network_summary, parameter_comparison
from cnnviz.ui.architecture_editor import load_config, network_editor, trained_models
from cnnviz.ui.convolution import (
    SlideSettings,
    convolution_explorer,
    convolution_settings,
    filtering_results,
    flip_check,
    output_formulas,
    pick_output,
)
from cnnviz.ui.feature_maps import (
    comparison,
    decision_evidence,
    learned_filters,
    network_input,
    output_class_names,
    prediction,
    show_layers,
    tab_labels,
)
from cnnviz.ui.home import tensors, what_computers_see, what_we_see
from cnnviz.ui.language import language as current_language
from cnnviz.ui.language import language_switch, t
from cnnviz.ui.loaders import (
    available_datasets,
    cached_builtin_images,
    cached_dataset,
    cached_decode,
)
from cnnviz.ui.model_engine import (
    available_models,
    engine_call,
    engine_client,
    engine_notice,
    layer_activations,
    predictions,
)
from cnnviz.ui.navigation import GUIDED, LESSON, compact_top, lesson_path
from cnnviz.ui.picker import SOURCES, PickedImage, canvas_key, image_picker, picker_columns
from cnnviz.ui.pooling import (
    FeatureMap,
    pooling_explorer,
    pooling_input,
    pooling_settings,
    save_feature_map,
    saved_feature_map,
    shift_demo,
)
from cnnviz.ui.presenter import clicker_steps, presenter_controls, presenting
from cnnviz.ui.share import SharedView, shared_view
from cnnviz.ui.training_live import live_view, train_and_stop
from cnnviz.ui.training_runs import compare_runs, model_warnings, session_owner
from cnnviz.ui.training_setup import (
    augmentation_preview,
    checked_config,
    run_name,
    training_presets,
    training_settings,
)
from cnnviz.ui.transfer_imagenet import imagenet_section, vgg16_section
from cnnviz.ui.transfer_live import live_results, run_and_stop, transfer_results
from cnnviz.ui.transfer_own import own_class_images, own_classes_form, own_classes_key
from cnnviz.ui.transfer_photos import vgg16_photo_features
from cnnviz.ui.transfer_save import reuse, save_form
from cnnviz.ui.transfer_setup import (
    checked_transfer_config,
    frozen_switches,
    pick_cut,
    pick_examples,
    pick_methods,
    pick_source,
    pick_target,
    target_classes,
    test_images,
    training_knobs,
)
from cnnviz.ui.widgets import (
    CUSTOM_KERNEL,
    KernelChoice,
    channel_picker,
    kernel_editor,
    working_input,
)
from cnnviz.ui.worked_example import value_by_hand

__all__ = [
    "clicker_steps",
    "current_language",
    "language_switch",
    "SharedView",
    "shared_view",
    "presenter_controls",
    "presenting",
    "t",
    "vgg16_photo_features",
    "live_results",
    "run_and_stop",
    "transfer_results",
    "reuse",
    "save_form",
    "checked_transfer_config",
    "frozen_switches",
    "pick_cut",
    "pick_examples",
    "pick_methods",
    "pick_source",
    "pick_target",
    "target_classes",
    "test_images",
    "training_knobs",
    "CUSTOM_KERNEL",
    "GUIDED",
    "LESSON",
    "SOURCES",
    "FeatureMap",
    "KernelChoice",
    "PickedImage",
    "SlideSettings",
    "augmentation_preview",
    "available_datasets",
    "available_models",
    "cached_builtin_images",
    "cached_dataset",
    "cached_decode",
    "canvas_key",
    "channel_picker",
    "checked_config",
    "compare_runs",
    "convolution_explorer",
    "convolution_settings",
    "decision_evidence",
    "engine_call",
    "engine_client",
    "engine_notice",
    "filtering_results",
    "flip_check",
    "image_picker",
    "imagenet_section",
    "kernel_editor",
    "layer_activations",
    "learned_filters",
    "compact_top",
    "comparison",
    "lesson_path",
    "live_view",
    "load_config",
    "memory_estimate",
    "network_editor",
    "model_warnings",
    "network_input",
    "output_class_names",
    "tab_labels",
    "network_summary",
    "output_formulas",
    "own_class_images",
    "own_classes_form",
    "own_classes_key",
    "parameter_comparison",
    "pick_output",
    "picker_columns",
    "pooling_input",
    "pooling_settings",
    "pooling_explorer",
    "prediction",
    "predictions",
    "run_name",
    "save_feature_map",
    "saved_feature_map",
    "session_owner",
    "shift_demo",
    "show_layers",
    "tensors",
    "train_and_stop",
    "trained_models",
    "training_presets",
    "training_settings",
    "value_by_hand",
    "vgg16_section",
    "what_computers_see",
    "what_we_see",
    "working_input",
]
