"""The example settings for a served class: every option exists, and the safe choices hold."""

import tomllib
from pathlib import Path

from streamlit import config

REPO = Path(__file__).resolve().parents[2]


def options(path: Path) -> dict[str, object]:
    sections = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        f"{section}.{name}": value
        for section, items in sections.items()
        for name, value in items.items()
    }


def test_every_option_is_one_streamlit_knows():
    known = config.get_config_options()
    unknown = [name for name in options(REPO / "deploy" / "classroom.toml") if name not in known]
    assert not unknown, f"options Streamlit does not have: {unknown}"


def test_a_served_class_sees_no_tracebacks_and_keeps_its_protections():
    served = options(REPO / "deploy" / "classroom.toml")
    assert served["client.showErrorDetails"] == "none"
    assert served["server.enableXsrfProtection"] is True and served["server.enableCORS"] is True
    assert served["browser.gatherUsageStats"] is False
    assert served["server.fileWatcherType"] == "none"


def test_it_keeps_every_setting_of_the_repositorys_own_config():
    own = options(REPO / ".streamlit" / "config.toml")
    served = options(REPO / "deploy" / "classroom.toml")
    assert {name: served.get(name) for name in own} == own
