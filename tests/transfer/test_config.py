"""TransferConfig's checks, the cut, the frozen layers and the plain-Python layer table."""

import numpy as np
import pytest

from cnnviz.network import lecture_config, regularised_config, summary_rows
from cnnviz.transfer.config import (
    METHODS,
    TransferConfig,
    body_layers,
    frozen_layers,
    layer_table,
    parameter_counts,
    resolve_cut,
    target_network,
    unfrozen_in_phase_2,
)
from cnnviz.transfer.results import MethodResult, TransferOutcome, results_table, run_manifest


def test_a_config_round_trips_through_plain_values():
    config = TransferConfig(methods=("fine-tune", "scratch"), frozen=("conv2d_1",), seed=3)
    data = config.to_dict()
    assert data["methods"] == ["fine-tune", "scratch"] and data["frozen"] == ["conv2d_1"]
    assert TransferConfig.from_dict(data) == config


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("target", "cats", "The target"),
        ("methods", (), "Choose one or more methods"),
        ("methods", ("svm",), "Each method"),
        ("methods", ("freeze", "freeze"), "each once"),
        ("per_class", 0, "Examples per class"),
        ("per_class", 501, "Examples per class"),
        ("epochs", 0, "`epochs`"),
        ("learning_rate", 0.0, "`learning_rate`"),
        ("projection", "umap", "The projection"),
        ("frozen", "conv2d_1", "`frozen`"),
    ],
)
def test_a_bad_setting_is_refused_naming_what_was_received(field, value, words):
    with pytest.raises(ValueError, match="Received") as error:
        TransferConfig(**{field: value})
    assert words in str(error.value)


def test_unknown_keys_are_refused():
    with pytest.raises(ValueError, match="layers"):
        TransferConfig.from_dict({"layers": 3})


def test_the_default_cut_is_the_flatten_layer_and_the_output_is_never_reused():
    network = lecture_config()
    names = [row.name for row in body_layers(network)]
    assert names == [row.name for row in summary_rows(network)][:-1]
    assert resolve_cut(network, None) == "flatten"
    assert resolve_cut(network, "conv2d_2") == "conv2d_2"
    with pytest.raises(ValueError, match="Received 'output'") as error:
        resolve_cut(network, "output")
    assert "conv2d_1" in str(error.value)


def test_frozen_layers_are_those_up_to_the_cut_unless_switched_one_by_one():
    network = lecture_config()
    config = TransferConfig(cut_layer="max_pooling2d_1")
    assert frozen_layers(network, config) == ("conv2d_1", "max_pooling2d_1")
    switched = TransferConfig(cut_layer="dense_1", frozen=("dense_1", "conv2d_1"))
    assert frozen_layers(network, switched) == ("conv2d_1", "dense_1")  # in the network's order
    with pytest.raises(ValueError, match="Received output"):
        frozen_layers(network, TransferConfig(frozen=("output",)))
    # The head, after the cut, always trains.
    with pytest.raises(ValueError, match="up to the cut, can be frozen: conv2d_1, .*flatten"):
        frozen_layers(network, TransferConfig(frozen=("dense_1",)))


def test_phase_2_unfreezes_the_last_layers_with_weights_before_the_cut():
    network = lecture_config()
    everything = ("conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2", "flatten")
    assert unfrozen_in_phase_2(network, TransferConfig()) == everything
    assert unfrozen_in_phase_2(network, TransferConfig(unfreeze=1)) == everything[2:]
    assert unfrozen_in_phase_2(network, TransferConfig(unfreeze=9)) == everything
    assert unfrozen_in_phase_2(network, TransferConfig(cut_layer="max_pooling2d_1")) == (
        "conv2d_1",
        "max_pooling2d_1",
    )


def test_the_new_head_has_the_targets_classes():
    network = target_network(lecture_config(), 5)
    assert network.num_classes == 5 and summary_rows(network)[-1].output_shape == (None, 5)
    with pytest.raises(ValueError, match="Received 1"):
        target_network(lecture_config(), 1)


def test_freezing_moves_exactly_those_layers_weights_to_non_trainable():
    network = target_network(lecture_config(), 5)
    rows = {row.name: row for row in summary_rows(network)}
    table = layer_table(network, {"conv2d_1", "conv2d_2"})  # the head: the output layer
    for row in table:
        frozen = row.name in ("conv2d_1", "conv2d_2")
        assert row.trainable is not frozen
        assert row.trainable_params == (0 if frozen else rows[row.name].trainable)
        assert row.trainable_params + row.non_trainable_params == rows[row.name].parameters
    assert [row.new for row in table] == [False] * (len(table) - 1) + [True]
    counts = parameter_counts(table)
    assert counts == {
        "total": 30_597,
        "trainable": 160 + 4640 + 25_632 + 165 - 4800,
        "non_trainable": 4800,
    }


def test_batch_norm_statistics_stay_non_trainable_when_nothing_is_frozen():
    network = target_network(regularised_config(), 5)
    counts = parameter_counts(layer_table(network, ()))
    moving = sum(row.non_trainable for row in summary_rows(network))
    assert moving > 0 and counts["non_trainable"] == moving


def _outcome(results):
    config = TransferConfig(per_class=5)
    return TransferOutcome(
        config=config.to_dict(),
        source="digits-0-4",
        target="digits-5-9",
        class_names=tuple("56789"),
        train_size=25,
        test_size=100,
        network=target_network(lecture_config(), 5).to_dict(),
        cut_layer="flatten",
        results=results,
        test_labels=np.zeros(100, dtype=np.int64),
    )


def test_the_results_table_gives_each_methods_gain_over_the_baseline():
    matrix = np.eye(5, dtype=np.int64)
    results = [
        MethodResult("features", 0.9, matrix, 1.0),
        MethodResult("scratch", 0.6, matrix, 2.0),
    ]
    rows = results_table(_outcome(results))
    assert [row["Method"] for row in rows] == ["Features + SVM", "From scratch (baseline)"]
    assert rows[0]["Gain over scratch (points)"] == pytest.approx(30.0)
    assert rows[1]["Gain over scratch (points)"] is None
    assert rows[0]["Test accuracy (%)"] == 90.0


def test_a_manifest_is_made_only_for_a_trained_network():
    matrix = np.eye(5, dtype=np.int64)
    outcome = _outcome([MethodResult("features", 0.9, matrix, 1.0)])
    with pytest.raises(ValueError, match="Received 'Features \\+ SVM'"):
        run_manifest(outcome, outcome.results[0])


def test_every_method_is_offered():
    assert METHODS == ("features", "freeze", "fine-tune", "scratch")
