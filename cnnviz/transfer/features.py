"""Transfer by features: a layer's outputs as feature vectors for a classic classifier.

The lecture's first way to reuse a trained network: cut it at an intermediate layer, feed the
new task's images through, and train a support vector machine on what comes out. Here each
image's feature vector is scaled to length 1 (after a ReLU most of its numbers are 0; scaling
each dimension to variance 1 instead would blow up the ones that are almost never on, which
cost 1 to 15 points of accuracy with 10 to 50 images per class), then an SVM (RBF kernel)
and, for comparison, a logistic regression are fitted on them; both are scored on the task's
test images. `project` flattens features to two dimensions (PCA, or t-SNE on request) so a
learner sees whether a layer separates the new classes. scikit-learn, SciPy and NumPy only: the
features come from the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import ArpackError, svds
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.svm import SVC

from cnnviz.validation import check_choice

PROJECTIONS = ("pca", "tsne")


@dataclass(frozen=True)
class FeatureScores:
    """How well one layer's features classify the new task.

    Attributes:
        layer: The layer the network was cut at.
        dimensions: Numbers per image (the layer's output, flattened).
        svm_accuracy, logistic_accuracy: Accuracy on the test images, 0..1.
        svm_predictions: The SVM's class for each test image (for a confusion matrix).
    """

    layer: str
    dimensions: int
    svm_accuracy: float
    logistic_accuracy: float
    svm_predictions: np.ndarray


def score_features(layer: str, train, y_train, test, y_test, seed: int = 0) -> FeatureScores:
    """Fit an SVM and a logistic regression on a layer's features; score them on the test set.

    Args:
        layer: The layer's name (reported back).
        train, test: Features `(n, ...)`, flattened to `(n, d)`.
        y_train, y_test: Integer labels.
        seed: Seeds the logistic regression's solver.

    Returns:
        A `FeatureScores`.

    Raises:
        ValueError: If the feature and label counts differ, train and test have different
            dimensions, or the training labels hold fewer than two classes.
    """
    train, test = _flat(train, "training"), _flat(test, "test")
    y_train, y_test = np.asarray(y_train), np.asarray(y_test)
    if len(train) != len(y_train) or len(test) != len(y_test):
        raise ValueError(
            f"Each image needs a label. Received {len(train)} training features for "
            f"{len(y_train)} labels and {len(test)} test features for {len(y_test)} labels."
        )
    if train.shape[1] != test.shape[1]:
        raise ValueError(
            "Training and test features must come from the same layer. Received "
            f"{train.shape[1]} and {test.shape[1]} numbers per image."
        )
    if len(np.unique(y_train)) < 2:
        raise ValueError(
            f"A classifier needs at least two classes to tell apart. Received training "
            f"labels {sorted(set(y_train.tolist()))}."
        )
    svm = make_pipeline(Normalizer(), SVC(kernel="rbf", C=10.0, gamma="scale"))
    logistic = make_pipeline(Normalizer(), LogisticRegression(max_iter=2000, random_state=seed))
    predictions = svm.fit(train, y_train).predict(test)
    logistic_accuracy = float(np.mean(logistic.fit(train, y_train).predict(test) == y_test))
    return FeatureScores(
        layer=layer,
        dimensions=int(train.shape[1]),
        svm_accuracy=float(np.mean(predictions == y_test)),
        logistic_accuracy=logistic_accuracy,
        svm_predictions=predictions,
    )


def project(features, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Features flattened to two dimensions for a scatter plot.

    "pca": the two directions of largest variance of the centred features (the signs chosen
    so the largest coordinate of each direction is positive: the same picture every time).
    "tsne": t-SNE (slower, keeps neighbours together rather than distances), seeded.

    Args:
        features: `(n, ...)`, flattened to `(n, d)`; at least 3 images.
        method: One of `PROJECTIONS`.
        seed: Seeds t-SNE.

    Returns:
        float64 array `(n, 2)`.

    Raises:
        ValueError: For an unknown method or fewer than 3 images.
    """
    check_choice(method, "`method`", PROJECTIONS)
    features = _flat(features, "the").astype(np.float64)
    if len(features) < 3:
        raise ValueError(f"A projection needs at least 3 images. Received {len(features)}.")
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = min(30.0, (len(features) - 1) / 3)
        return TSNE(2, perplexity=perplexity, random_state=seed, init="pca").fit_transform(features)
    centred = features - features.mean(axis=0)
    directions = _largest_singular_directions(centred)
    signs = np.sign(directions[np.arange(len(directions)), np.abs(directions).argmax(axis=1)])
    projected = centred @ (directions * signs[:, None]).T
    if projected.shape[1] < 2:  # one-dimensional features: a flat second axis
        projected = np.column_stack([projected, np.zeros(len(projected))])
    return projected


def _largest_singular_directions(centred: np.ndarray) -> np.ndarray:
    """The (at most two) right singular vectors of `centred` with the largest singular values.

    Only two are needed, so ARPACK finds them from a few products with the matrix: for 2,000
    test images of 1,568 numbers a full SVD took 1 to 80 s (by how busy the cores were), this
    0.03 to 0.4 s, equal to 1e-13. A full SVD remains for what ARPACK cannot take: fewer than
    3 images or dimensions, or all-zero features (a layer that never fires)."""
    if min(centred.shape) > 2 and centred.any():
        start = np.random.default_rng(0).standard_normal(min(centred.shape))  # same every time
        try:
            _, values, directions = svds(centred, k=2, v0=start)
            return directions[np.argsort(values)[::-1]]
        except ArpackError:  # did not converge: the exact way
            pass
    return np.linalg.svd(centred, full_matrices=False)[2][:2]


def _flat(features, which: str) -> np.ndarray:
    features = np.asarray(features)
    if features.ndim < 2 or len(features) == 0:
        raise ValueError(
            f"{which.capitalize()} features must be one row per image. Received shape "
            f"{features.shape}."
        )
    return features.reshape(len(features), -1)
