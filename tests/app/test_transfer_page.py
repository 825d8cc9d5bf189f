"""The Transfer-learning page: choices, every method on a tiny task to the results, the save."""

import time

import numpy as np
import pytest

from cnnviz.training.runs import models_in
from cnnviz.transfer.tasks import target_task
from tests.app.conftest import chart, page_test
from tests.app.test_transfer_own import files, uploader

pytestmark = pytest.mark.slow

PAGE = "lessons/transfer.py"
WAIT_SECONDS = 180


def tiny(at, methods=("features", "freeze", "fine-tune", "scratch")):
    at.multiselect(key="transfer_methods").set_value(list(methods))
    at.select_slider(key="transfer_per_class").set_value(5)
    at.number_input(key="transfer_epochs").set_value(2)
    at.number_input(key="transfer_fine_tune_epochs").set_value(1)
    return at.run()


def results_frame(at):
    frames = [frame.value for frame in at.dataframe if "Method" in frame.value.columns]
    return frames[0] if frames else None


def wait_for_results(at):
    deadline = time.monotonic() + WAIT_SECONDS
    while results_frame(at) is None:
        assert time.monotonic() < deadline, "the transfer job did not end in time"
        assert not at.exception, at.exception
        assert not at.error, [e.value for e in at.error]
        time.sleep(0.5)
        at.run()
    return results_frame(at)


def test_the_page_offers_the_sources_targets_and_frozen_switches(models_dir):
    at = page_test(PAGE).run()
    assert not at.exception and not at.error
    source = at.selectbox(key="transfer_source")
    assert source.value == "digits-0-4"
    assert {"digits-0-4", "lecture", "regularised"} <= set(source.options)
    assert at.radio(key="transfer_target").value == "digits-5-9"
    assert at.selectbox(key="transfer_cut").value == "flatten"
    metrics = {metric.label: metric.value for metric in at.metric}
    # Frozen up to flatten: the two Conv2D layers (160 + 4,640), of 30,597 with a 5-class head.
    assert metrics["Non-trainable params"] == "4,800"
    assert metrics["Trainable params"] == "25,797"
    assert "138,357,544" in " ".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_moving_the_cut_changes_what_is_frozen(models_dir):
    at = page_test(PAGE).run()
    at.selectbox(key="transfer_cut").set_value("dense_1").run()
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Trainable params"] == "165"  # only the new head: 32 × 5 + 5


def test_each_method_runs_to_the_results_table_and_a_run_is_saved(models_dir):
    at = tiny(page_test(PAGE).run())
    at.button(key="transfer_run").click().run()
    table = wait_for_results(at)
    assert list(table["Method"]) == [
        "Features + SVM",
        "Frozen layers + new head",
        "Fine-tuning in two phases",
        "From scratch (baseline)",
    ]
    assert table["Test accuracy (%)"].between(0, 100).all()
    baseline = table["Test accuracy (%)"].iloc[3]
    gains = table["Gain over scratch (points)"].iloc[:3].to_numpy()
    np.testing.assert_allclose(gains, table["Test accuracy (%)"].iloc[:3] - baseline, atol=0.02)
    layers = chart(at, "transfer_layer_accuracy")
    assert layers["data"][0]["x"] == [
        "conv2d_1",
        "max_pooling2d_1",
        "conv2d_2",
        "max_pooling2d_2",
        "flatten",
        "dense_1",
    ]
    curves = chart(at, "transfer_curves")
    assert {trace["name"] for trace in curves["data"]} == {
        "Frozen layers + new head",
        "Fine-tuning in two phases",
        "From scratch (baseline)",
    }
    matrix = chart(at, "transfer_confusion")["data"][0]["z"]
    assert np.asarray(matrix).sum() == len(target_task("digits-5-9").x_test)
    # Save the fine-tuned network; it is a run like the Training page's, and predicts at once.
    at.radio(key="transfer_inspect").set_value("fine-tune").run()
    at.text_input(key="transfer_run_name").set_value("tuned-on-5-9").run()
    at.button(key="transfer_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("Saved as run `tuned-on-5-9`" in s.value for s in at.success)
    saved = {info.name: info for info in models_in(models_dir)}
    assert saved["tuned-on-5-9"].manifest["class_names"] == list("56789")
    assert saved["tuned-on-5-9"].weights.endswith(".weights.h5")
    assert not at.warning, [w.value for w in at.warning]
    predicted = [image for image in at.image if len(image.proto.imgs) == 8]
    captions = [image.caption for image in predicted[0].proto.imgs]
    truth = target_task("digits-5-9").y_test[:8]
    for caption, label in zip(captions, truth, strict=True):
        predicted, _, verdict = caption.split(" ", 2)
        assert verdict == "✓" if predicted == "56789"[label] else verdict == f"✗ (is {5 + label})"
    # It is on the Feature maps page like any run, with the target's class names.
    at.switch_page("lessons/feature_maps.py")
    at.run()
    assert "tuned-on-5-9" in at.selectbox(key="feature_maps_model").options


def test_the_features_method_saves_nothing(models_dir):
    at = tiny(page_test(PAGE).run(), methods=("features",))
    at.button(key="transfer_run").click().run()
    wait_for_results(at)
    assert at.get("plotly_chart") and chart(at, "transfer_projection")["data"]
    assert not [b for b in at.button if b.key == "transfer_save"]


def test_own_classes_with_one_class_only_show_an_error_and_block_run(models_dir):
    at = page_test(PAGE).run()
    at.radio(key="transfer_target").set_value("own").run()
    assert at.button(key="transfer_run").disabled
    uploader(at, 1).set_value(files(0)).run()
    assert not at.exception
    assert any("Add a second class" in error.value for error in at.error)
    assert at.button(key="transfer_run").disabled
    uploader(at, 2).set_value(files(10)).run()
    assert not at.error, [e.value for e in at.error]
    assert not at.button(key="transfer_run").disabled
