"""Every key figure in one sentence, computed from the figure's own numbers.

The text alternative of a chart: shown as its caption and read out by screen readers ("Predicted
7 with 98.0 % confidence."). One function per kind of figure, fed what its builder is fed; the
words are the `a11y` catalog's, in the `language` given, and numbers are written the way that
language writes them (a decimal comma in Spanish).

Example:
    >>> prediction_summary([0.02, 0.98], ["3", "7"])
    'Predicted 7 with 98.0 % confidence.'
    >>> prediction_summary([0.02, 0.98], ["3", "7"], language="es")
    'Predice 7 con una confianza del 98,0 %.'
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cnnviz import i18n
from cnnviz.network.layers import ShapeSeries
from cnnviz.training.events import BatchEvent, EpochEvent
from cnnviz.transfer.config import method_label
from cnnviz.transfer.results import LayerScore, TransferEpoch


def _say(language: str, key: str, **values) -> str:
    return i18n.translate(language, f"a11y.summary.{key}", **values)


def number(value: float, language: str = "en", spec: str = ".4g") -> str:
    """`value` as `format(value, spec)`, with a true minus sign and, in Spanish, a decimal
    comma.

    Example:
        >>> number(-2.5), number(1234.5, "es", ",.1f")
        ('−2.5', '1.234,5')
    """
    text = format(value, spec).replace("-", "−")
    if language == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(fraction: float, language: str = "en", decimals: int = 1) -> str:
    """A fraction as a percentage with a space before the sign: `97.1 %` (`97,1 %`)."""
    return f"{number(100 * fraction, language, f'.{decimals}f')} %"


def prediction_summary(probabilities, class_names: Sequence[str], *, language="en") -> str:
    """Says "Predicted 7 with 98.0 % confidence.": the most probable class and its probability."""
    probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
    best = int(np.argmax(probabilities))
    return _say(
        language,
        "prediction",
        label=class_names[best],
        confidence=percent(probabilities[best], language),
    )


def grid_summary(values, *, language: str = "en") -> str:
    """Says "The output is 26×26; its largest value is 412 at row 3, column 5, its smallest −98 at
    row 7, column 1." (the first place of each, reading row by row; NaN cells are ignored)."""
    values = np.asarray(values, dtype=np.float64)
    if not np.isfinite(values).any():
        return _say(language, "grid_empty", rows=values.shape[0], cols=values.shape[1])
    high = np.unravel_index(np.nanargmax(values), values.shape)
    low = np.unravel_index(np.nanargmin(values), values.shape)
    return _say(
        language,
        "grid",
        rows=values.shape[0],
        cols=values.shape[1],
        high=number(values[high], language),
        high_row=high[0],
        high_col=high[1],
        low=number(values[low], language),
        low_row=low[0],
        low_col=low[1],
    )


def kernel_summary(values, name: str, *, language: str = "en") -> str:
    """Says "The Sobel kernel is 3×3, with weights from −2 to 2.\""""
    values = np.asarray(values, dtype=np.float64)
    return _say(
        language,
        "kernel",
        name=name,
        rows=values.shape[0],
        cols=values.shape[1],
        low=number(np.nanmin(values), language),
        high=number(np.nanmax(values), language),
    )


def training_summary(
    batches: Sequence[BatchEvent], epochs: Sequence[EpochEvent], *, language: str = "en"
) -> str:
    """Says "Validation accuracy 97.1 % after 5 epochs (training accuracy 98.0 %).", or during the
    first epoch, the last batches' loss and accuracy."""
    last = epochs[-1] if epochs else None
    if last is not None and last.val_accuracy is not None:
        return _say(
            language,
            "epochs",
            validation=percent(last.val_accuracy, language),
            epochs=last.epoch,
            training=percent(last.accuracy or 0.0, language),
        )
    if not batches:
        return _say(language, "no_batches")
    batch = batches[-1]
    return _say(
        language,
        "batches",
        epoch=batch.epoch,
        batch=batch.batch,
        batches=batch.batches,
        loss="—" if batch.loss is None else number(batch.loss, language, ".3f"),
        accuracy="—" if batch.accuracy is None else percent(batch.accuracy, language),
    )


def _best(values: list[tuple[str, int, float]], lowest: bool) -> tuple[str, int, float] | None:
    known = [item for item in values if item[2] is not None and np.isfinite(item[2])]
    if not known:
        return None
    return (min if lowest else max)(known, key=lambda item: item[2])


def _value(metric: str, value: float, language: str) -> str:
    return percent(value, language) if metric.endswith("accuracy") else number(value, language)


def runs_summary(
    histories: dict[str, Sequence[EpochEvent]], metric: str, *, language: str = "en"
) -> str:
    """Says "3 runs compared; the best val accuracy: lecture, 98.9 % at epoch 5." (the lowest for
    a loss)."""
    values = [
        (name, event.epoch, getattr(event, metric))
        for name, history in histories.items()
        for event in history
    ]
    best = _best(values, lowest=metric.endswith("loss"))
    if best is None:
        return _say(language, "runs_empty", runs=len(histories))
    return _say(
        language,
        "runs",
        runs=len(histories),
        metric=i18n.translate(language, f"a11y.table.{metric}"),
        name=best[0],
        value=_value(metric, best[2], language),
        epoch=best[1],
    )


def confusion_summary(matrix, class_names: Sequence[str], *, language: str = "en") -> str:
    """Says "952 of 1,000 images (95.2 %) classified correctly; the most frequent mistake: 4 taken
    for 9, 7 times.\""""
    matrix = np.asarray(matrix, dtype=np.int64)
    total, right = int(matrix.sum()), int(np.trace(matrix))
    text = _say(
        language,
        "confusion",
        right=number(right, language, ",d"),
        total=number(total, language, ",d"),
        share=percent(right / total if total else 0.0, language),
    )
    wrong = matrix - np.diag(np.diag(matrix))
    if wrong.max(initial=0) > 0:
        true, predicted = np.unravel_index(np.argmax(wrong), wrong.shape)
        text += " " + _say(
            language,
            "mistake",
            true=class_names[true],
            predicted=class_names[predicted],
            times=int(wrong[true, predicted]),
        )
    return text


def filter_summary(kernel, *, language: str = "en") -> str:
    """Says "16 filters of 3×3; weights from −0.41 to 0.52.\""""
    filters = np.asarray(kernel, dtype=np.float64).mean(axis=2)
    return _say(
        language,
        "filters",
        count=filters.shape[-1],
        rows=filters.shape[0],
        cols=filters.shape[1],
        low=number(filters.min(), language, ".2f"),
        high=number(filters.max(), language, ".2f"),
    )


def evidence_summary(heat, method: str, *, language: str = "en") -> str:
    """Says "Grad-CAM: the strongest evidence (1.00) is at row 12, column 14.\""""
    heat = np.asarray(heat, dtype=np.float64)
    row, col = np.unravel_index(np.nanargmax(heat), heat.shape)
    return _say(
        language,
        "evidence",
        method=method,
        value=number(heat[row, col], language, ".2f"),
        row=row,
        col=col,
    )


def gallery_summary(captions: Sequence[str], *, language: str = "en") -> str:
    """Says "24 images; the first: true 4 → 9.\""""
    if not captions:
        return _say(language, "gallery_empty")
    return _say(language, "gallery", count=len(captions), first=captions[0])


def shape_summary(series: ShapeSeries, *, language: str = "en") -> str:
    """Says "The maps shrink from 28×28 to 5×5 while the channels grow from 1 to 32; Flatten
    passes 800 units on; the output has 10.\""""
    last_map = series.spatial - 1
    return _say(
        language,
        "shapes",
        first=f"{series.sides[0]}×{series.widths[0]}",
        last=f"{series.sides[last_map]}×{series.widths[last_map]}",
        channels_in=series.channels[0],
        channels_out=series.channels[last_map],
        outputs=series.channels[-1],
    )


def memory_summary(parts: dict[str, int], *, language: str = "en") -> str:
    """Says "One training step needs 12.34 MB; the largest part: weights, 3.10 MB.\""""
    largest = max(parts, key=parts.get)
    return _say(
        language,
        "memory",
        total=number(sum(parts.values()) / 1e6, language, ",.2f"),
        part=largest,
        size=number(parts[largest] / 1e6, language, ",.2f"),
    )


def method_summary(
    epochs: Sequence[TransferEpoch], metric: str = "test_accuracy", *, language: str = "en"
) -> str:
    """Says "The best test accuracy: Fine-tuning in two phases, 95.0 % at epoch 8.\""""
    values = [(event.method, event.epoch, getattr(event, metric)) for event in epochs]
    best = _best(values, lowest=metric.endswith("loss"))
    if best is None:
        return _say(language, "methods_empty")
    return _say(
        language,
        "methods",
        metric=i18n.translate(language, f"a11y.table.{metric}"),
        name=method_label(best[0], language=language),
        value=_value(metric, best[2], language),
        epoch=best[1],
    )


def layer_score_summary(scores: Sequence[LayerScore], *, language: str = "en") -> str:
    """Says "The features of block4_pool transfer best: SVM 91.0 %, logistic regression 89.5 %.\""""
    if not scores:
        return _say(language, "methods_empty")
    best = max(scores, key=lambda score: max(score.svm_accuracy, score.logistic_accuracy))
    return _say(
        language,
        "layers",
        layer=best.layer,
        svm=percent(best.svm_accuracy, language),
        logistic=percent(best.logistic_accuracy, language),
    )


def projection_summary(labels, class_names: Sequence[str], *, language: str = "en") -> str:
    """Says "300 test images of 3 classes, placed in 2-D by their features.\""""
    return _say(language, "projection", count=len(labels), classes=len(class_names))
