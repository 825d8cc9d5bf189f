import json

import pytest
import streamlit

from cnnviz import network
from tests.app.conftest import chart, page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/architecture.py"


def summary(at):
    return at.dataframe[0].value


def totals(at) -> str:
    return next(m.value for m in at.main.markdown if m.value.startswith("**Total params"))


def test_the_lecture_model_is_summarised_like_keras():
    at = page_test(PAGE).run()
    assert not at.exception
    table = summary(at)
    assert list(table["Output shape"]) == [
        "(None, 26, 26, 16)",
        "(None, 13, 13, 16)",
        "(None, 11, 11, 32)",
        "(None, 5, 5, 32)",
        "(None, 800)",
        "(None, 32)",
        "(None, 10)",
    ]
    assert list(table["Param #"]) == [160, 0, 4640, 0, 0, 25632, 330]
    assert "**Total params: 30,762**" in totals(at)


def test_changing_a_widget_updates_the_summary_at_once():
    at = page_test(PAGE).run()
    at.number_input(key="architecture_net_block0_filters").set_value(32).run()
    expected = network.CNNConfig(conv_blocks=(network.ConvBlock(32), network.ConvBlock(32)))
    assert f"**Total params: {sum(network.parameter_totals(expected)):,}**" in totals(at)
    assert summary(at)["Output shape"][0] == "(None, 26, 26, 32)"
    at.selectbox(key="architecture_net_block1_padding").set_value("same").run()
    assert summary(at)["Output shape"][2] == "(None, 13, 13, 32)"


def test_batch_norm_adds_four_numbers_per_channel_half_not_trainable():
    at = page_test(PAGE).run()
    at.toggle(key="architecture_net_bn").set_value(True).run()
    table = summary(at)
    norms = table[table["Layer (type)"].str.contains("BatchNormalization")]
    assert list(norms["Param #"]) == [64, 128]
    assert "Non-trainable params: 96" in totals(at)
    at.slider(key="architecture_net_dropout").set_value(0.5).run()
    table = summary(at)
    dropout = table[table["Layer (type)"].str.contains(r"\(Dropout\)")]
    assert list(dropout["Param #"]) == [0]


def test_an_impossible_network_shows_an_error_not_a_traceback():
    at = page_test(PAGE).run()
    at.slider(key="architecture_net_blocks").set_value(4).run()
    for number in range(4):
        at.selectbox(key=f"architecture_net_block{number}_kernel").set_value(7).run()
    assert not at.exception
    assert at.error, "an impossible network must show an error element"
    assert "Block 3's Conv2D would make the 2×2 map 0×0" in at.error[0].value
    assert "Received" in at.error[0].value
    assert not at.dataframe, "no summary is shown for a network that cannot be built"


def test_parameter_comparison_with_the_learners_numbers():
    at = page_test(PAGE).run()
    assert [m.value for m in at.metric][:2] == ["262,400", "2,560"]
    at.number_input(key="architecture_side").set_value(28).run()
    at.number_input(key="architecture_units").set_value(16).run()
    assert [m.value for m in at.metric][:2] == [f"{28 * 28 * 16 + 16:,}", "160"]


def test_memory_estimate_follows_the_batch_size_and_lists_remedies():
    at = page_test(PAGE).run()
    at.slider(key="architecture_batch").set_value(512).run()
    estimate = network.training_memory(network.lecture_config(), 512, "adam")
    assert at.metric[2].value == f"{estimate.total / 1e6:,.1f} MB"
    remedies = next(frame.value for frame in at.dataframe if "Remedy" in frame.value.columns)
    assert len(remedies) == len(network.memory_remedies(network.lecture_config(), 512))
    assert any("batch" in text.lower() for text in remedies["Remedy"])


def test_design_hints_appear_for_even_kernels():
    at = page_test(PAGE).run()
    at.selectbox(key="architecture_net_block0_kernel").set_value(4).run()
    assert any("even" in w.value.lower() for w in at.warning)


@pytest.mark.parametrize("page_key", ["architecture_reset"])
def test_reset_returns_to_the_lecture_model(page_key):
    at = page_test(PAGE).run()
    at.number_input(key="architecture_net_block0_filters").set_value(64).run()
    at.button(key=page_key).click().run()
    assert "**Total params: 30,762**" in totals(at)


def test_a_saved_run_is_listed_and_its_architecture_loads(tmp_path, monkeypatch):
    config = network.CNNConfig(conv_blocks=(network.ConvBlock(8, 5), network.ConvBlock(12)))
    manifest = {
        "config": {"model": config.to_dict()},
        "test_accuracy": 0.9123,
        "parameters": sum(network.parameter_totals(config)),
        "dataset": "mnist-sample",
        "epochs_completed": 3,
    }
    (tmp_path / "my-run.keras").write_bytes(b"not read by the listing")
    (tmp_path / "my-run.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    at = page_test(PAGE).run()
    trained = at.dataframe[-1].value
    row = trained[trained["Model"] == "my-run"].iloc[0]
    assert (row["Held-out accuracy"], row["From"]) == ("91.23%", "your runs")
    at.selectbox(key="architecture_trained_model").set_value("my-run").run()
    at.button(key="architecture_trained_load").click().run()
    assert not at.exception
    assert at.number_input(key="architecture_net_block0_filters").value == 8
    assert at.selectbox(key="architecture_net_block0_kernel").value == 5
    total = sum(network.parameter_totals(config))
    assert f"**Total params: {total:,}**" in totals(at)


def test_loading_an_architecture_leaves_no_widget_state_warning_in_the_log(monkeypatch):
    """Streamlit logs a warning when a widget has a default and a session-state value."""
    from streamlit.elements.lib import policies

    logged = []
    monkeypatch.setattr(policies.runtime, "exists", lambda: True)
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)
    monkeypatch.setattr(policies._LOGGER, "warning", lambda *args, **_: logged.append(args))
    at = page_test(PAGE).run()
    at.selectbox(key="architecture_trained_model").set_value("lecture").run()
    at.button(key="architecture_trained_load").click().run()
    assert not at.exception
    assert "**Total params: 30,762**" in totals(at)
    assert not logged


def test_the_regularised_model_is_summarised_without_a_scrolling_table(monkeypatch):
    # AppTest does not report an element's height: record what the page asks for.
    asked = {}
    draw = streamlit.dataframe

    def dataframe(data, *args, **kwargs):
        asked[kwargs.get("key")] = kwargs.get("height", "auto")
        return draw(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", dataframe)
    at = page_test(PAGE).run()
    at.selectbox(key="architecture_trained_model").set_value("regularised").run()
    at.button(key="architecture_trained_load").click().run()
    assert not at.exception
    rows = network.summary_rows(network.regularised_wide_config())
    assert len(rows) == 14
    assert list(summary(at)["Layer (type)"]) == [f"{row.name} ({row.kind})" for row in rows]
    # "content": as tall as its rows; the default ("auto") scrolls after about ten rows.
    assert asked["architecture_summary"] == "content"


def test_the_diagram_draws_units_on_a_log_axis_apart_from_the_channels():
    at = page_test(PAGE).run()
    figure = chart(at, "architecture_diagram")
    channels = figure["data"][1]
    assert list(channels["y"]) == [1, 16, 16, 32, 32, 800, 32, 10]
    axis = figure["layout"]["yaxis2"]
    assert axis["type"] == "log" and list(axis["tickvals"]) == [2**n for n in range(11)]
    at.number_input(key="architecture_net_block1_filters").set_value(64).run()
    figure = chart(at, "architecture_diagram")
    assert list(figure["data"][1]["y"])[-3:] == [1600, 32, 10]
    assert figure["layout"]["yaxis2"]["tickvals"][-1] >= 1600
