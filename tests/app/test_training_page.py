"""The training page: presets, bad settings, a tiny live run to the end, stop, history, delete."""

import json
import time
from pathlib import Path

import numpy as np
import pytest

from cnnviz import datasets, network
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.training import owner_id
from cnnviz.training.runs import models_in
from cnnviz.ui import training_setup
from cnnviz.ui.session_keys import OWNER_TOKEN
from cnnviz.ui.training_setup import PAGE_PRESETS, preset_values
from tests.app.conftest import chart, page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/training.py"
WAIT_SECONDS = 90


def tiny(at, name: str, *, train_size=256, epochs=1, batch_size=64):
    at.number_input(key="training_train_size").set_value(train_size)
    at.number_input(key="training_epochs").set_value(epochs)
    at.number_input(key="training_batch_size").set_value(batch_size)
    at.text_input(key="training_run_name").set_value(name)
    return at.run()


def wait_until(at, done):
    """Rerun the page (the live fragment polls on each run) until `done(at)` or time is up."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not done(at):
        assert time.monotonic() < deadline, "the training job did not end in time"
        assert not at.exception, at.exception
        time.sleep(0.5)
        at.run()
    return at


def runs_table(at):
    """The run history's table (the other tables are the charts' numbers)."""
    return next(frame.value for frame in at.dataframe if "Best epoch" in frame.value.columns)


def ended(at) -> bool:
    return bool(at.success or at.error or at.warning)


def test_the_page_runs_and_lists_the_bundled_models(models_dir):
    at = page_test(PAGE).run()
    assert not at.exception
    assert not at.error
    runs = runs_table(at)
    bundled = {"lecture", "regularised", "digits-0-4", "fashion"}
    assert {f"{name} (bundled)" for name in bundled} <= set(runs["Run"])
    overlay = chart(at, "training_overlay_accuracy")
    assert {trace["name"] for trace in overlay["data"]} == bundled  # all compared at first


def test_a_run_on_some_classes_is_inspected_with_those_classes(models_dir):
    at = page_test(PAGE).run()
    at.selectbox(key="training_inspect").set_value("digits-0-4").run()
    assert not at.exception and not at.error and not at.info
    (info,) = [
        info for info in models_in(BUNDLED_MODELS_DIR, "bundled") if info.name == "digits-0-4"
    ]
    confusion = chart(at, "training_confusion")["data"][0]
    assert list(confusion["x"]) == list(confusion["y"]) == ["0", "1", "2", "3", "4"]
    np.testing.assert_array_equal(confusion["z"], info.manifest["confusion_matrix"])
    # The misclassified test digits are the run's: indices into the test digits 0 to 4.
    sample = datasets.load_dataset("mnist-sample")
    low = sample.y_test < 5
    images, labels = sample.x_test[low], sample.y_test[low]
    shown = info.manifest["misclassified"][:24]
    gallery = chart(at, "training_misclassified")
    captions = [annotation["text"] for annotation in gallery["layout"]["annotations"]]
    assert len(captions) == len(shown) == len(gallery["data"]) > 0
    for caption, index, tile in zip(captions, shown, gallery["data"], strict=True):
        true, predicted = caption.removeprefix("true ").split(" → ")
        assert true == str(labels[index]) and predicted in "01234" and predicted != true
        np.testing.assert_array_equal(np.asarray(tile["z"], dtype=float), images[index])


@pytest.mark.parametrize("number", range(len(PAGE_PRESETS)))
def test_presets_set_the_widgets(models_dir, number):
    at = page_test(PAGE).run()
    at.number_input(key="training_epochs").set_value(3).run()
    at.button(key=f"training_preset_{number}").click().run()
    assert not at.exception
    tag = owner_id(at.session_state[OWNER_TOKEN])[:4]  # this session's own default names
    for key, value in preset_values(PAGE_PRESETS[number].name).items():
        expected = f"{value}-{tag}" if key == "training_run_name" else value
        assert at.session_state[key] == expected, key
    twin = network.regularised_config()
    expected_dropout = twin.dropout if number == 2 else 0.0
    assert at.slider(key="training_dropout").value == expected_dropout
    assert at.checkbox(key="training_batch_norm").value is (number == 2)
    assert at.number_input(key="training_train_size").value == (500 if number else 0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("training_run_name", "...", "A run name needs at least one letter"),
        ("training_run_name", "lecture", "bundled model"),
        (
            "training_train_size",
            5,
            "Training images: use at least 10, or 0 for all of them. Received 5.",
        ),
    ],
)
def test_a_bad_setting_shows_an_error_and_blocks_train(models_dir, key, value, message):
    at = page_test(PAGE).run()
    widget = at.text_input(key=key) if key == "training_run_name" else at.number_input(key=key)
    widget.set_value(value).run()
    assert not at.exception
    assert any(message in error.value for error in at.error), [e.value for e in at.error]
    assert at.button(key="training_train").disabled


def test_training_images_stop_at_what_the_dataset_has(models_dir):
    at = page_test(PAGE).run()
    widget = at.number_input(key="training_train_size")
    assert widget.max == 7000  # mnist-sample: 8,000 training images, 1,000 for validation
    widget.set_value(7000).run()
    assert not at.error and not at.button(key="training_train").disabled


def test_an_invalid_network_from_the_architecture_page_is_an_error(models_dir):
    at = page_test(PAGE)
    broken = network.lecture_config().to_dict() | {"dense_units": [0]}
    at.session_state["architecture_config"] = broken
    at.run()
    at.radio(key="training_model_source").set_value(training_setup.MODEL_SOURCES[1]).run()
    assert not at.exception
    assert at.error and at.button(key="training_train").disabled


def test_training_one_tiny_epoch_shows_curves_accuracy_and_the_saved_run(models_dir):
    at = tiny(page_test(PAGE).run(), "tiny run")
    assert "Saved as `tiny_run`" in " ".join(caption.value for caption in at.caption)
    at.button(key="training_train").click().run()
    assert at.button(key="training_stop").disabled is False
    wait_until(at, ended)
    assert not at.error, at.error[0].value
    message = at.success[0].value
    assert message.startswith("Finished 1 epoch(s) in") and "held-out accuracy" in message
    assert "`tiny_run`" in message
    curves = chart(at, "training_curves")
    losses = next(t for t in curves["data"] if t["name"] == "loss, batches")
    events = [e for e in at.session_state["training_job"].events if hasattr(e, "covers")]
    assert list(losses["y"]) == pytest.approx([e.loss for e in events])
    assert list(losses["x"]) == pytest.approx([e.epochs_done for e in events])
    validation = next(t for t in curves["data"] if t["name"] == "validation loss, per epoch")["y"]
    assert len(validation) == 1
    owners = np.asarray(chart(at, "training_filters")["data"][0]["customdata"])
    assert owners.shape == (2 * 4 - 1, 8 * 4 - 1)  # the 2×8 grid of 3×3 filters
    assert set(owners.ravel()) - {-1} == set(range(16))
    runs = runs_table(at)
    row = runs[runs["Run"] == "tiny_run"].iloc[0]
    assert (row["Training images"], row["Epochs"]) == (256, "1 of 1")
    assert row["Optimiser"] == "adam 0.001, batch 64"
    accuracy = row["Held-out accuracy (%)"]
    assert 0 <= accuracy <= 100 and f"**{accuracy / 100:.1%}**" in message
    overlay = chart(at, "training_overlay_accuracy")
    assert "tiny_run" in {trace["name"] for trace in overlay["data"]}
    assert at.selectbox(key="training_inspect").value == "tiny_run"
    assert chart(at, "training_confusion")["data"][0]["z"].sum() == 2000
    # Training again under the same name would replace this run: the page asks first.
    assert any("Your saved run is called `tiny_run`" in w.value for w in at.warning)
    assert at.button(key="training_train").disabled
    (info,) = [info for info in models_in(models_dir) if info.name == "tiny_run"]
    assert Path(info.path).is_file() and Path(info.weights).is_file()
    assert info.owner == owner_id(at.session_state[OWNER_TOKEN])  # this session's run


def test_a_second_session_waits_and_stop_ends_a_long_job(models_dir):
    at = tiny(page_test(PAGE).run(), "long-run", train_size=2000, epochs=20, batch_size=16)
    at.button(key="training_train").click().run()
    wait_until(at, lambda at: chart_or_none(at, "training_curves") is not None)
    other = tiny(page_test(PAGE).run(), "queued-run")
    other.button(key="training_train").click().run()
    other.run()
    assert [info.value for info in other.info][:1] == ["Waiting: 1 job(s) ahead of yours."]
    at.button(key="training_stop").click().run()
    wait_until(at, ended)
    assert not at.error
    messages = [element.value for element in (*at.success, *at.warning)]
    assert any(message.startswith("Stopped") for message in messages), messages
    assert at.session_state["training_job"].status.state == "stopped"
    wait_until(other, ended)  # the queued job ran once the slot was free
    assert other.success[0].value.startswith("Finished 1 epoch(s)")


def test_the_augmentation_preview_shows_one_augmented_batch(models_dir):
    at = page_test(PAGE).run()
    at.button(key="training_preset_2").click().run()
    at.button(key="training_preview").click().run()
    assert not at.exception and not at.error
    preview = chart(at, "training_preview_gallery")
    assert len(preview["data"]) >= 1
    at.slider(key="training_zoom").set_value(0.2).run()  # another augmentation: preview gone
    assert chart_or_none(at, "training_preview_gallery") is None


def chart_or_none(at, key):
    try:
        return chart(at, key)
    except KeyError:
        return None


def fake_run(directory, name, owner=None):
    """A run on disk as an early save left it (no versions), owned by the token `owner`."""
    for suffix in (".keras", ".weights.h5"):
        (directory / f"{name}{suffix}").write_bytes(b"x")
    manifest = {"dataset": "mnist-sample", "owner": owner and owner_id(owner)}
    (directory / f"{name}.json").write_text(json.dumps(manifest))


def session_owning(directory, name):
    """The Training page in a session that saved run `name` (a fake one) earlier."""
    fake_run(directory, name, owner="this session")
    at = page_test(PAGE)
    at.session_state[OWNER_TOKEN] = "this session"
    return at.run()


def test_delete_removes_the_saved_run(models_dir):
    at = session_owning(models_dir, "doomed")
    at.selectbox(key="training_inspect").set_value("doomed").run()
    assert at.button(key="training_delete").disabled
    at.checkbox(key="training_confirm_delete").check().run()
    at.button(key="training_delete").click().run()
    assert not at.exception
    assert not list(models_dir.glob("doomed*"))
    assert "doomed" not in set(runs_table(at)["Run"])


def test_another_sessions_run_cannot_be_deleted_unless_in_teacher_mode(models_dir, monkeypatch):
    fake_run(models_dir, "theirs", owner="another session")
    at = page_test(PAGE).run()
    at.selectbox(key="training_inspect").set_value("theirs").run()
    assert not [b for b in at.button if b.key == "training_delete"]
    assert any("Saved by another session" in caption.value for caption in at.caption)
    monkeypatch.setenv("CNNVIZ_TEACHER_MODE", "1")
    at.run()
    at.checkbox(key="training_confirm_delete").check().run()
    at.button(key="training_delete").click().run()
    assert not at.exception and not list(models_dir.glob("theirs*"))


def test_a_damaged_run_is_skipped_with_a_warning_naming_its_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    fake_run(tmp_path, "fine")
    fake_run(tmp_path, "broken")
    (tmp_path / "broken.json").write_text('{"config": {"model": []}, "class_names": 3}')
    fake_run(tmp_path, "odd")
    config = {"model": {"dropout": "0.3"}, "epochs": "many", "optimizer": "adam"}
    odd = {"config": config | {"learning_rate": "fast"}, "misclassified": [10**9]}
    (tmp_path / "odd.json").write_text(json.dumps(odd))
    at = page_test(PAGE).run()
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    assert any(str(tmp_path / "broken.json") in warning for warning in warnings), warnings
    assert set(runs_table(at)["Run"]) >= {"fine", "odd"} and "broken" not in set(
        runs_table(at)["Run"]
    )
    at.selectbox(key="training_inspect").set_value("odd").run()
    assert not at.exception


def test_bundled_models_offer_downloads_but_no_delete(models_dir):
    at = page_test(PAGE).run()
    at.selectbox(key="training_inspect").set_value("lecture").run()
    files = [b for b in at.get("download_button") if "training_download_" in b.proto.id]
    assert len(files) == 2  # .keras and .weights.h5; the Keras script and sample are beside
    assert not [b for b in at.button if b.key == "training_delete"]


@pytest.mark.skipif(
    all(status is None for status in datasets.available_datasets().values()),
    reason="every dataset is available here",
)
def test_an_unavailable_dataset_is_named_and_its_job_fails_clearly(models_dir):
    missing = next(name for name, status in datasets.available_datasets().items() if status)
    at = tiny(page_test(PAGE).run(), "missing-data")
    at.selectbox(key="training_dataset").set_value(missing).run()
    assert any("is not available" in warning.value for warning in at.warning)
    at.button(key="training_train").click().run()
    wait_until(at, lambda at: at.error)
    assert "not available" in at.error[0].value


def test_each_session_starts_with_a_run_name_of_its_own(models_dir):
    first, second = page_test(PAGE).run(), page_test(PAGE).run()
    names = [at.text_input(key="training_run_name").value for at in (first, second)]
    for at, name in zip((first, second), names, strict=True):
        assert name == f"run-{owner_id(at.session_state[OWNER_TOKEN])[:4]}"
    assert names[0] != names[1]


def test_replacing_ones_own_run_asks_first(models_dir):
    at = session_owning(models_dir, "mine")
    at.text_input(key="training_run_name").set_value("mine").run()
    assert not at.exception
    assert any("Your saved run is called `mine`" in w.value for w in at.warning)
    assert at.button(key="training_train").disabled
    at.checkbox(key="training_replace").check().run()
    assert not at.button(key="training_train").disabled
    assert not [w for w in at.warning if "Tick" in w.value]


def test_another_students_run_is_never_replaced_the_new_one_takes_a_free_name(models_dir):
    fake_run(models_dir, "shared", owner="another session")
    fake_run(models_dir, "shared-2", owner="a third session")
    at = tiny(page_test(PAGE).run(), "shared")
    captions = " ".join(caption.value for caption in at.caption)
    assert "yours will be saved as `shared-3`" in captions
    assert not at.button(key="training_train").disabled  # nothing to ask: nothing is lost
    at.button(key="training_train").click().run()
    wait_until(at, ended)
    assert "saved as run `shared-3`" in at.success[0].value
    runs = {info.name: info for info in models_in(models_dir)}
    assert runs["shared"].owner == owner_id("another session")  # untouched
    assert runs["shared-3"].owner == owner_id(at.session_state[OWNER_TOKEN])


def test_a_job_the_engine_lost_in_a_restart_is_explained(models_dir):
    from cnnviz.ui.training_live import JOB_KEY, LiveJob

    at = page_test(PAGE).run()
    # Submitted before a restart (-1: the client has restarted since), unknown to the engine.
    at.session_state[JOB_KEY] = LiveJob("0123456789ab", "lost", _tiny_config(), restarts=-1)
    at.run()
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    assert any("restarted while run `lost` was in its first epoch" in w for w in warnings), warnings
    assert JOB_KEY not in at.session_state
    assert not at.run().button(key="training_train").disabled  # free to train again


def test_a_job_forgotten_long_ago_is_explained(models_dir):
    from cnnviz.ui.training_live import JOB_KEY, LiveJob

    at = page_test(PAGE).run()
    at.session_state[JOB_KEY] = LiveJob("ba9876543210", "old", _tiny_config(), restarts=10**6)
    at.run()
    assert not at.exception
    assert any("no longer knows run `old`" in warning.value for warning in at.warning)


def test_train_when_the_engine_cannot_start_is_a_message(models_dir, monkeypatch):
    from cnnviz.engine.protocol import EngineError
    from cnnviz.ui import training_live

    def broken():
        raise EngineError("The model engine exited (code 1) before it was ready.")

    at = page_test(PAGE).run()
    monkeypatch.setattr(training_live, "engine_client", broken)
    at.button(key="training_train").click().run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert errors == [
        "Training could not start: The model engine exited (code 1) before it was ready."
    ]


def _tiny_config():
    from cnnviz.training import TrainingConfig

    return TrainingConfig(train_size=256, epochs=1)
