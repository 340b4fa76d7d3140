"""Tesseract 5 (Debian's tesseract-ocr with tesseract-ocr-chi-sim) behind the same engine
interface, for the engine comparison in docs/ocr.md (`gongkai bench ocr`).

The line images of a page are stacked into one tall image with white gaps and read by one
`tesseract` process (a process per line would cost more than the reading); the words it finds
are given back to the lines by their height on the stack. Tesseract reports a confidence per
word, so every character of a word gets the word's confidence and no alternatives.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import numpy as np

from pipelines.parsing.ocr.engine import Glyph, Reading


class TesseractEngine:
    name = "tesseract 5 (chi_sim)"
    HEIGHT = 40  # line images are scaled to this height, like the recogniser's input
    GAP = 24

    def __init__(self, lang: str = "chi_sim") -> None:
        exe = shutil.which("tesseract")
        if exe is None:
            raise RuntimeError("tesseract is not installed (make system-packages)")
        self.exe = exe
        self.lang = lang

    def recognize(self, lines: list[np.ndarray]) -> list[Reading]:
        import cv2

        if not lines:
            return []
        scaled = []
        for ln in lines:
            gray = cv2.cvtColor(ln, cv2.COLOR_BGR2GRAY) if ln.ndim == 3 else ln
            w = max(1, int(round(gray.shape[1] * self.HEIGHT / max(1, gray.shape[0]))))
            scaled.append(cv2.resize(gray, (w, self.HEIGHT), interpolation=cv2.INTER_LINEAR))
        width = max(s.shape[1] for s in scaled) + 2 * self.GAP
        step = self.HEIGHT + self.GAP
        stack = np.full((self.GAP + step * len(scaled), width), 255, np.uint8)
        for i, s in enumerate(scaled):
            y = self.GAP + i * step
            stack[y : y + self.HEIGHT, self.GAP : self.GAP + s.shape[1]] = s
        ok, png = cv2.imencode(".png", stack)
        assert ok
        proc = subprocess.run(
            [
                self.exe,
                "stdin",
                "stdout",
                "-l",
                self.lang,
                "--psm",
                "6",
                "-c",
                "preserve_interword_spaces=1",
                "tsv",
            ],
            input=png.tobytes(),
            capture_output=True,
            env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
            check=False,
        )
        words: list[list[tuple[int, str, float, int]]] = [[] for _ in lines]
        for row in csv.DictReader(io.StringIO(proc.stdout.decode("utf-8", "replace")), delimiter="\t"):
            text = (row.get("text") or "").strip()
            if row.get("level") != "5" or not text:
                continue
            top, height = int(row["top"]), int(row["height"])
            k = int((top + height / 2 - self.GAP) // step)
            if 0 <= k < len(lines):
                left, w = int(row["left"]) - self.GAP, int(row["width"])
                words[k].append((left, text, max(0.0, float(row["conf"])) / 100.0, w))
        out = []
        for k, found in enumerate(words):
            span = float(scaled[k].shape[1]) or 1.0
            glyphs: list[Glyph] = []
            for left, text, conf, w in sorted(found):
                for j, ch in enumerate(text):
                    x = (left + (j + 0.5) * w / len(text)) / span
                    glyphs.append(Glyph(ch, round(conf, 4), (), min(1.0, max(0.0, x))))
            out.append(Reading(tuple(glyphs)))
        return out
