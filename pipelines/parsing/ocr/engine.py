"""The OCR engine behind a small interface, so the reader does not depend on the engine choice.

An engine reads line images (`recognize`); finding the lines is the reader's work (rulings and
ink, pipelines.parsing.ocr.page), the same for every engine. A reading keeps, for every character, its probability and the other characters the model found
likely at that place, so that a digit read with low confidence can be checked against the sum
rules (pipelines.parsing.ocr.digits).

`RapidEngine` runs the PP-OCRv4 recognition model with onnxruntime; the model ships inside the
rapidocr-onnxruntime wheel, so nothing is downloaded. Sessions run on one thread: a process
reads one report per core, and the same bytes give the same result.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

# Characters whose probability at a position reaches this are kept as alternatives.
ALT_MIN = 0.02
# Glyphs a line of digits may show for a digit (a lone 0 looks like 。 or o to the model); a line
# holding nothing else is decoded again with only digits and number punctuation allowed.
LOOKALIKES = set("。○〇oOQDlI|]")
NUMERIC = set("0123456789,.-+—/")
# A character read with a probability below this is doubtful.
DOUBT = 0.97
# Marks that dirt on a scan reads as, beside the digits of a number.
DIRT = set("'\"`.,:;·#+*^~_-=|/\\!?tTπ")

# A position where the model's best guess is "no character" but a digit reaches this is a place
# where a digit may have been missed.
MISSED_MIN = 0.15


@dataclass(frozen=True, slots=True)
class Glyph:
    """One recognised character: the best reading, its probability, the other readings with their
    probabilities (best first), and its horizontal centre as a share of the line image's width.
    A glyph with text "" marks a place where the model probably saw nothing but may have missed a
    character (its alternatives say which)."""

    text: str
    prob: float
    alts: tuple[tuple[str, float], ...]
    x: float


@dataclass(frozen=True, slots=True)
class Reading:
    glyphs: tuple[Glyph, ...]

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def confidence(self) -> float:
        """The lowest probability of a character read (1.0 for nothing read)."""
        probs = [g.prob for g in self.glyphs if g.text]
        return min(probs) if probs else 1.0


class Engine(Protocol):
    name: str

    def recognize(self, lines: list[np.ndarray]) -> list[Reading]:
        """One reading per grayscale line image (a single line of text, tightly cropped)."""
        ...


def _models() -> Path:
    import rapidocr_onnxruntime

    return Path(rapidocr_onnxruntime.__file__).parent / "models"


def _session(path: Path) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 4
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])


class RapidEngine:
    """PP-OCRv4 mobile recognition (the rapidocr-onnxruntime wheel's model)."""

    name = "rapidocr-onnxruntime (PP-OCRv4)"
    # recognition input: height 48, batches of lines padded to the widest
    HEIGHT = 48
    BATCH_PIXELS = 1600

    def __init__(self) -> None:
        import cv2

        cv2.setNumThreads(1)
        models = _models()
        self._rec = _session(models / "ch_PP-OCRv4_rec_infer.onnx")
        meta = self._rec.get_modelmeta().custom_metadata_map
        self._chars = ["", *meta["character"].splitlines(), " "]
        self._digit_ids = np.array([i for i, c in enumerate(self._chars) if c.isdigit() and c.isascii()])
        self._numeric_mask = np.array(
            [1.0 if i == 0 or c in NUMERIC else 0.0 for i, c in enumerate(self._chars)], dtype=np.float32
        )

    # ------------------------------------------------------------------------------------------
    # recognition

    def recognize(self, lines: list[np.ndarray]) -> list[Reading]:
        import cv2

        out: list[Reading | None] = [None] * len(lines)
        ratios = [max(1.0, ln.shape[1] / max(1, ln.shape[0])) for ln in lines]
        order = sorted(range(len(lines)), key=lambda i: (ratios[i], i))
        batches: list[list[int]] = []
        for i in order:
            # batches of similar widths, at most BATCH_PIXELS wide in all: the cost of a batch
            # grows faster than its size, and padding a short line to a long one is waste
            if batches and (len(batches[-1]) + 1) * ratios[i] * self.HEIGHT <= self.BATCH_PIXELS:
                batches[-1].append(i)
            else:
                batches.append([i])
        for batch in batches:
            max_ratio = max(ratios[i] for i in batch)
            width = int(np.ceil(self.HEIGHT * max_ratio))
            tensor = np.zeros((len(batch), 3, self.HEIGHT, width), dtype=np.float32)
            used: list[int] = []
            for k, i in enumerate(batch):
                img = lines[i]
                w = min(width, int(np.ceil(self.HEIGHT * img.shape[1] / max(1, img.shape[0]))))
                w = max(w, 1)
                resized = cv2.resize(img, (w, self.HEIGHT), interpolation=cv2.INTER_LINEAR)
                tensor[k, :, :, :w] = ((resized.astype(np.float32) / 255.0 - 0.5) / 0.5).transpose(2, 0, 1)
                used.append(w)
            probs = self._rec.run(None, {self._rec.get_inputs()[0].name: tensor})[0]
            steps = probs.shape[1]
            for k, i in enumerate(batch):
                # the share of the time steps that covers the line image (the rest is padding)
                frac = used[k] / width
                reading = self._decode(probs[k], frac, steps)
                text = reading.text
                if text and set(text) <= LOOKALIKES | NUMERIC and set(text) & LOOKALIKES:
                    masked = probs[k] * self._numeric_mask
                    masked /= np.maximum(masked.sum(axis=1, keepdims=True), 1e-9)
                    reading = self._decode(masked, frac, steps)
                out[i] = reading
        return [r if r is not None else Reading(()) for r in out]

    def _decode(self, probs: np.ndarray, frac: float, steps: int) -> Reading:
        """Greedy CTC decoding that keeps each character's alternatives."""
        best = probs.argmax(axis=1)
        glyphs: list[Glyph] = []
        t = 0
        span = max(frac * steps, 1.0)
        while t < steps:
            idx = int(best[t])
            end = t
            while end + 1 < steps and best[end + 1] == idx:
                end += 1
            if idx == 0:
                # blank frames: a digit the model nearly read here may have been missed
                window = probs[t : end + 1][:, self._digit_ids] if len(self._digit_ids) else None
                if window is not None and window.size and float(window.max()) >= MISSED_MIN:
                    f = t + int(window.max(axis=1).argmax())
                    glyphs.append(self._glyph("", probs[f], f, span, missed=True))
            else:
                f = t + int(probs[t : end + 1, idx].argmax())
                glyphs.append(self._glyph(self._chars[idx], probs[f], f, span))
            t = end + 1
        return Reading(tuple(glyphs))

    def _glyph(self, text: str, row: np.ndarray, frame: int, span: float, missed: bool = False) -> Glyph:
        part = np.argpartition(-row, 5)[:5]
        top = part[np.lexsort((part, -row[part]))]
        alts = tuple(
            (self._chars[int(j)], round(float(row[j]), 4))
            for j in top
            if int(j) != 0 and row[j] >= ALT_MIN and self._chars[int(j)] != text
        )
        prob = 1.0 - float(max((p for c, p in alts if c), default=0.0)) if missed else float(row[top[0]])
        return Glyph(text, round(prob, 4), alts, min(1.0, (frame + 0.5) / span))


_ENGINE: Engine | None = None
_LOCK = threading.Lock()


def default_engine() -> Engine:
    """The process's engine, made once (loading the models takes about a second)."""
    global _ENGINE
    with _LOCK:
        if _ENGINE is None:
            os.environ.setdefault("OMP_NUM_THREADS", "1")
            _ENGINE = RapidEngine()
        return _ENGINE


@contextmanager
def using(engine: Engine) -> Iterator[Engine]:
    """Read with `engine` instead of the default inside the block (the engine comparison)."""
    global _ENGINE
    with _LOCK:
        previous, _ENGINE = _ENGINE, engine
    try:
        yield engine
    finally:
        with _LOCK:
            _ENGINE = previous


def dirt(g: Glyph) -> bool:
    """A mark a speck may have made: punctuation-like, or anything but a digit read with little
    confidence."""
    return g.text in DIRT or (g.prob < 0.5 and not g.text.isdigit())
