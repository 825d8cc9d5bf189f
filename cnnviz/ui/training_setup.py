"""The training page's settings: presets, every knob of a `TrainingConfig`, the run's name.

Widgets only; the config is checked by `cnnviz.training` (free of TensorFlow) and trained by
the engine. Widget keys start with `training_`.
"""

from __future__ import annotations

import streamlit as st

from cnnviz import plots
from cnnviz.engine.protocol import EngineError
from cnnviz.network import OPTIMIZERS, CNNConfig, lecture_config
from cnnviz.plots import summaries, tables
from cnnviz.training import (
    PRESETS,
    SCHEDULES,
    TrainingConfig,
    UnknownModel,
    default_catalog,
    owner_id,
    sanitise_name,
    teacher_mode,
)
from cnnviz.training.config import MAX_LEARNING_RATE, MIN_TRAIN_SIZE, largest_train_size
from cnnviz.ui.charts import chart
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.loaders import available_datasets
from cnnviz.ui.model_engine import engine_client
from cnnviz.ui.session_keys import ARCHITECTURE_CONFIG, REPLACE_ASKED_AGAIN
from cnnviz.ui.training_live import job_active
from cnnviz.ui.training_runs import replace_policy, session_owner

MODEL_SOURCES = ("The lecture's model", "The network from the Architecture page")  # values
SOURCE_WORDS = dict(zip(MODEL_SOURCES, ("lecture_model", "architecture_model"), strict=True))
PAGE_PRESETS = [preset for preset in PRESETS.values() if preset.on_page]
PREVIEW_KEY = "training_preview_images"
REGULARISERS = {  # widget -> CNNConfig field
    "training_batch_norm": "batch_norm",
    "training_spatial_dropout": "spatial_dropout",
    "training_dropout": "dropout",
    "training_l2": "l2",
}
AUGMENTATION = {  # widget -> Augmentation field
    "training_rotation": "rotation",
    "training_translation": "translation",
    "training_zoom": "zoom",
}


def widget_values(config: TrainingConfig, run_name: str) -> dict:
    """The widget values (by key) that show `config`; the dataset and seed stay as chosen.

    The page trains the lecture's layout with the config's regularisers, so a preset's
    settings are what its widgets show.
    """
    values = {
        "training_train_size": config.train_size or 0,
        "training_epochs": config.epochs,
        "training_batch_size": config.batch_size,
        "training_optimizer": config.optimizer,
        "training_learning_rate": config.learning_rate,
        "training_schedule": config.learning_rate_schedule,
        "training_patience": config.early_stopping_patience or 0,
        "training_model_source": MODEL_SOURCES[0],
        "training_run_name": run_name,
    }
    values |= {key: getattr(config.model, name) for key, name in REGULARISERS.items()}
    return values | {key: getattr(config.augmentation, name) for key, name in AUGMENTATION.items()}


def preset_values(name: str) -> dict:
    """The widget values the button of preset `name` sets."""
    preset = PRESETS[name]
    return widget_values(preset.config, preset.run_name)


# A run's default name is the session's own (`default_run_name`), set where the widgets are.
DEFAULTS = {
    key: value for key, value in preset_values("lecture").items() if key != "training_run_name"
} | {"training_seed": 0}
REPLACE_KEY = "training_replace"


def default_run_name(base: str) -> str:
    """`base` with this session's tag ("run-3fa2"): every student's default name is their own,
    so no student replaces another's run by leaving a name as it was."""
    return f"{base}-{owner_id(session_owner())[:4]}"


def _apply_preset(name: str) -> None:
    st.session_state.update(preset_values(name))
    st.session_state["training_run_name"] = default_run_name(PRESETS[name].run_name)


def _architecture_regularisers() -> None:
    """Picking the Architecture page's network also takes its regularisers (if it is valid)."""
    stored = st.session_state.get(ARCHITECTURE_CONFIG)
    if st.session_state.get("training_model_source") == MODEL_SOURCES[1] and stored:
        try:
            config = CNNConfig.from_dict(stored)
        except ValueError:
            return  # the page says what is wrong with it
        st.session_state.update({k: getattr(config, n) for k, n in REGULARISERS.items()})


def training_presets() -> None:
    """One button per preset; each sets the settings below (a callback, before the rerun)."""
    columns = st.columns(len(PAGE_PRESETS))
    for number, (column, preset) in enumerate(zip(columns, PAGE_PRESETS, strict=True)):
        column.button(
            preset.label_in(language()),
            key=f"training_preset_{number}",
            on_click=_apply_preset,
            args=(preset.name,),
            help=preset.lesson_in(language()),
            width="stretch",
        )


def _limit(key: str, largest: int) -> None:
    """Pull a remembered widget value back under a new, smaller maximum (a smaller dataset)."""
    if st.session_state.get(key, 0) > largest:
        st.session_state[key] = largest


def settings_problems(settings: dict) -> list[str]:
    """What is wrong with the settings, in the page's words (the widgets bound the rest)."""
    size = settings["train_size"]
    if size is not None and size < MIN_TRAIN_SIZE:
        return [t("training.setup.too_few", minimum=MIN_TRAIN_SIZE, size=size)]
    return []


def checked_config(settings: dict) -> TrainingConfig | None:
    """The settings as a `TrainingConfig`, or None with what is wrong shown on the page."""
    problems = settings_problems(settings)
    if not problems:
        try:
            return TrainingConfig.from_dict(settings)
        except ValueError as error:
            problems = [message(error)]
    for problem in problems:
        st.error(problem)
    return None


def training_settings() -> dict:
    """Every training setting as widgets; returns them in `TrainingConfig.to_dict()` format.

    The widgets bound what they can (training images by the dataset's size); what is left
    to check is said by `settings_problems` in the page's words.
    """
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)
    st.session_state.setdefault("training_run_name", default_run_name("run"))
    data, run = st.columns(2)
    statuses = available_datasets()
    # Options' words worked out now, in this run's language (a format function is called later).
    shown = {
        name: name if reason is None else t("training.setup.not_here", name=name)
        for name, reason in statuses.items()
    }
    dataset = data.selectbox(
        t("training.setup.dataset"), list(statuses), key="training_dataset", format_func=shown.get
    )
    if statuses[dataset] is not None:
        reason = statuses[dataset]
        data.warning(t("training.setup.not_available", dataset=dataset, reason=reason))
    largest = largest_train_size(dataset)
    _limit("training_train_size", largest)
    train_size = data.number_input(
        t("training.setup.train_size"),
        0,
        largest,
        step=100,
        key="training_train_size",
        help=t("training.setup.train_size_help", dataset=dataset, largest=largest),
    )
    epochs = run.number_input(t("training.setup.epochs"), 1, 200, key="training_epochs")
    batch_size = run.number_input(
        t("training.setup.batch_size"), 1, 4096, key="training_batch_size"
    )
    patience = run.number_input(t("training.setup.patience"), 0, 200, key="training_patience")
    step = st.columns(3)
    optimizer = step[0].selectbox(
        t("training.setup.optimizer"), OPTIMIZERS, key="training_optimizer"
    )
    learning_rate = step[1].number_input(
        t("training.setup.learning_rate"),
        0.0001,
        MAX_LEARNING_RATE,
        step=0.0005,
        format="%.4f",
        key="training_learning_rate",
        help=t("training.setup.learning_rate_help"),
    )
    schedule = step[2].selectbox(
        t("training.setup.schedule"),
        SCHEDULES,
        key="training_schedule",
        format_func={name: t(f"training.setup.schedules.{name}") for name in SCHEDULES}.get,
    )
    seed = data.number_input(t("training.setup.seed"), 0, 2**32 - 1, key="training_seed")
    return {
        "model": _model_settings(),
        "dataset": dataset,
        "train_size": train_size or None,
        "epochs": epochs,
        "batch_size": batch_size,
        "optimizer": optimizer,
        "learning_rate": learning_rate,
        "learning_rate_schedule": schedule,
        "seed": seed,
        "augmentation": _augmentation_settings(),
        "early_stopping_patience": patience or None,
    }


def _model_settings() -> dict:
    """Which network, with the regularisers of the lecture's second half."""
    stored = st.session_state.get(ARCHITECTURE_CONFIG)
    sources = MODEL_SOURCES if stored else MODEL_SOURCES[:1]
    if st.session_state.get("training_model_source") not in sources:
        st.session_state["training_model_source"] = sources[0]
    source = st.radio(
        t("training.setup.network"),
        sources,
        key="training_model_source",
        horizontal=True,
        on_change=_architecture_regularisers,
        format_func={value: t(f"training.setup.{SOURCE_WORDS[value]}") for value in sources}.get,
    )
    model = dict(stored) if source == MODEL_SOURCES[1] else lecture_config().to_dict()
    st.markdown(t("training.setup.regularisers"))
    columns = st.columns(4)
    model["batch_norm"] = columns[0].checkbox(
        t("training.setup.batch_norm"), key="training_batch_norm"
    )
    model["spatial_dropout"] = columns[1].slider(
        t("training.setup.spatial_dropout"), 0.0, 0.9, step=0.05, key="training_spatial_dropout"
    )
    model["dropout"] = columns[2].slider(
        t("training.setup.dropout"), 0.0, 0.9, step=0.05, key="training_dropout"
    )
    model["l2"] = columns[3].number_input(
        t("training.setup.l2"), 0.0, 1.0, step=0.0001, format="%.4f", key="training_l2"
    )
    return model


def _augmentation_settings() -> dict:
    st.markdown(t("training.setup.augmentation"))
    columns = st.columns(3)
    labels = [t(f"training.setup.{name}") for name in ("rotation", "translation", "zoom")]
    return {
        name: column.slider(label, 0.0, 0.5, step=0.01, key=key)
        for column, label, (key, name) in zip(columns, labels, AUGMENTATION.items(), strict=True)
    }


def augmentation_preview(config: TrainingConfig) -> None:
    """A button that asks the engine for one augmented batch, and the batch once it came."""
    wanted = (config.dataset, config.seed, config.augmentation)
    if st.button(t("training.setup.preview"), key="training_preview"):
        try:
            images = engine_client().augmentation_preview(config.to_dict(), 16)
        except (ValueError, EngineError) as error:
            st.error(message(error))
            return
        st.session_state[PREVIEW_KEY] = (wanted, images)
    shown = st.session_state.get(PREVIEW_KEY)
    if shown is not None and shown[0] == wanted:
        captions = [t("training.setup.preview_image", index=i) for i in range(len(shown[1]))]
        chart(
            plots.image_gallery(shown[1], captions),
            table=tables.caption_table(captions, language=language()),
            summary=summaries.gallery_summary(captions, language=language()),
            key="training_preview_gallery",
        )


def run_name() -> str | None:
    """A text input for the run's name; returns the name to save under, or None while the
    learner has not said whether to replace a run of theirs of that name.

    A run of that name saved by this session is replaced only once the learner ticks "Replace
    it"; one saved by another session is never replaced (outside teacher mode): the page says
    which free name the new run will get instead.

    Raises:
        ValueError: If nothing usable is left, the name is a bundled model's, or the teacher
            mode setting is not understood.
    """
    if st.session_state.pop(REPLACE_ASKED_AGAIN, False):  # a new run asks anew
        st.session_state.pop(REPLACE_KEY, None)
    raw = st.text_input(t("training.setup.run_name"), key="training_run_name")
    name = sanitise_name(raw)
    catalog = default_catalog()
    if name in catalog.bundled_names():
        raise ValueError(t("training.setup.bundled_name", name=repr(name), raw=repr(raw)))
    if name != raw:
        st.caption(t("training.setup.saved_as", name=name))
    if job_active():  # the run being trained may be saved under this name any moment now
        return name
    try:
        existing = catalog.resolve(name)
    except UnknownModel:
        return name
    teacher = teacher_mode()
    if teacher or existing.owner == owner_id(session_owner()):
        whose = "any" if teacher else "own"
        if st.checkbox(t(f"training.setup.replace_{whose}", name=name), key=REPLACE_KEY):
            return name
        st.warning(t(f"training.setup.replace_{whose}_warning", name=name))
        return None
    instead = catalog.available_name(name, session_owner(), replace_policy())
    st.caption(t("training.setup.another_student", name=name, instead=instead))
    return name
