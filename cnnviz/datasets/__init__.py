"""The digits a network learns from, offline first.

- `offline`: the bundled MNIST sample (10,000 real digits, always here), full MNIST and
  Fashion-MNIST from the files Keras caches or Debian's package; never the network.
- `download`: fetches full MNIST or Fashion-MNIST into the Keras cache when the user asks,
  checked and written atomically; offline it says so and points to the bundled sample.
"""

from cnnviz.datasets.download import download_dataset
from cnnviz.datasets.offline import (
    DATASET_NAMES,
    FASHION_CLASS_NAMES,
    MNIST_CLASS_NAMES,
    Dataset,
    DatasetUnavailable,
    available_datasets,
    check_name,
    class_label,
    dataset_label,
    dataset_status,
    load_dataset,
    stratified_split,
)

__all__ = [
    "DATASET_NAMES",
    "FASHION_CLASS_NAMES",
    "MNIST_CLASS_NAMES",
    "Dataset",
    "DatasetUnavailable",
    "available_datasets",
    "check_name",
    "class_label",
    "dataset_label",
    "dataset_status",
    "download_dataset",
    "load_dataset",
    "stratified_split",
]
