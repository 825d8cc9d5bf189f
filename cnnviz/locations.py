"""Where cnnviz's files are: the repository, its bundled assets, and the folder of saved runs.

Defined once; everything that reads or writes a file of the app starts from these.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
ASSETS_DIR = REPO_ROOT / "assets"
BUNDLED_MODELS_DIR = ASSETS_DIR / "models"
MNIST_SAMPLE_PATH = ASSETS_DIR / "mnist_sample.npz"
DEFAULT_MODELS_DIR = REPO_ROOT / "models"
MODELS_DIR_ENV = "CNNVIZ_MODELS_DIR"


def saved_models_dir() -> Path:
    """Where training runs are saved: `$CNNVIZ_MODELS_DIR`, else `<repo>/models`."""
    return Path(os.environ.get(MODELS_DIR_ENV) or DEFAULT_MODELS_DIR)
