"""One page image -> a clean, upright grayscale page, its ink, and its ruling lines.

Steps, in order: a red seal is whitened (its pixels are red, the text under it is not); a phone
photo's page is found as the bright quadrilateral on a darker background and warped flat; the
page is scaled to at most 200 dpi (more only costs time); it is turned upright by the angle that
makes text lines and rules sharpest in the horizontal projection (within ±5°); dark borders from
the scanner's lid or the page edge are removed from the ink. Every step is a projective map, so
a box in the clean page maps back to the source image's pixels (`to_source`).

Rulings are the ink that survives a morphological opening with a long thin kernel; a vertical
stroke of a character is not one, since a column rule meets at least two row rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

# A4 portrait width in inches: the resolution of an image without a known dpi is its page width
# over this.
A4_WIDTH_IN = 8.27
MAX_DPI = 200.0
MAX_SKEW = 5.0

Box = tuple[float, float, float, float]


@dataclass
class CleanPage:
    gray: np.ndarray  # uint8, upright, seal removed
    ink: np.ndarray  # uint8 0/1: text and rulings
    dpi: float
    to_source: np.ndarray  # 3x3: clean pixels -> source image pixels
    notes: list[str] = field(default_factory=list)
    skew: float = 0.0

    @property
    def pt(self) -> float:
        """Points per pixel."""
        return 72.0 / self.dpi

    def source_box(self, box_px: Box) -> Box:
        """A box of the clean page -> the bounding box of its corners in the source image."""
        x0, y0, x1, y1 = box_px
        pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64).T
        m = self.to_source @ pts
        xs, ys = m[0] / m[2], m[1] / m[2]
        return (
            round(float(xs.min()), 1),
            round(float(ys.min()), 1),
            round(float(xs.max()), 1),
            round(float(ys.max()), 1),
        )


def _cv2() -> Any:
    import cv2

    cv2.setNumThreads(1)
    return cv2


def remove_seal(bgr: np.ndarray) -> tuple[np.ndarray, bool]:
    """Grayscale page with red ink whitened; and whether there was a seal's worth of red."""
    cv2 = _cv2()
    b, g, r = (bgr[:, :, i].astype(np.int16) for i in range(3))
    red = (r - np.maximum(g, b) > 60) & (r > 110)
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    if red.sum() < 0.0005 * red.size:
        return gray, False
    # the seal's anti-aliased edge and its overprint on text: whiten red, then what is left of
    # a pixel that was red on black text is the text (darker than the seal's red)
    gray = gray.copy()
    gray[red] = 255
    return gray, True


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The page's four corners in a photo (the page is the largest bright quadrilateral), or
    None when the page fills the image."""
    cv2 = _cv2()
    h, w = gray.shape
    scale = 800.0 / max(h, w)
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    _, bright = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    c = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(c)
    total = small.shape[0] * small.shape[1]
    if not 0.2 * total < area < 0.93 * total:
        return None
    quad = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
    if len(quad) != 4:
        return None
    pts = quad.reshape(4, 2).astype(np.float64) / scale
    # order: top-left, top-right, bottom-right, bottom-left
    s, d = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]])


def _skew_angle(gray: np.ndarray) -> float:
    """The rotation (degrees) that makes the page's rows of ink sharpest."""
    cv2 = _cv2()
    h, w = gray.shape
    scale = min(1.0, 900.0 / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    ink = (small < 160).astype(np.float32)
    if ink.sum() < 50:
        return 0.0
    centre = (small.shape[1] / 2, small.shape[0] / 2)

    def sharpness(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        rot = cv2.warpAffine(ink, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        profile = rot.sum(axis=1)
        return float((np.diff(profile) ** 2).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=sharpness)
    fine = float(max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05), key=sharpness))
    # an upright page stays as it is: a hair's difference in sharpness is aliasing, not skew
    if sharpness(fine) < 1.01 * sharpness(0.0):
        return 0.0
    return round(fine, 2)


def clean(image: np.ndarray, dpi: float | None) -> CleanPage:
    """A decoded page (BGR or grayscale) -> CleanPage. `dpi` is known for rasterised PDF pages."""
    cv2 = _cv2()
    notes: list[str] = []
    if image.ndim == 3:
        gray, seal = remove_seal(image)
        if seal:
            notes.append("red seal removed")
    else:
        gray = image
    to_source = np.eye(3)
    quad = find_page(gray)
    if quad is not None:
        top = np.linalg.norm(quad[1] - quad[0])
        bottom = np.linalg.norm(quad[2] - quad[3])
        left = np.linalg.norm(quad[3] - quad[0])
        right = np.linalg.norm(quad[2] - quad[1])
        pw, ph = max(top, bottom), max(left, right)
        dst = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
        m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
        gray = cv2.warpPerspective(gray, m, (int(pw), int(ph)), flags=cv2.INTER_LINEAR, borderValue=(255,))
        to_source = np.linalg.inv(m)
        notes.append("photographed page flattened")
        dpi = None  # the photo's scale is not the page's
    h, w = gray.shape
    if dpi is None:
        dpi = min(h, w) / A4_WIDTH_IN
    if dpi > MAX_DPI * 1.1:
        f = MAX_DPI / dpi
        gray = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
        to_source = to_source @ np.diag([1 / f, 1 / f, 1.0])
        dpi = MAX_DPI
    angle = _skew_angle(gray)
    if abs(angle) >= 0.05:
        h, w = gray.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(255,))
        to_source = to_source @ np.linalg.inv(np.vstack([m, [0, 0, 1]]))
    page = CleanPage(gray, _ink(gray, dpi), float(dpi), to_source, notes, angle)
    if abs(angle) >= 0.05:
        notes.append(f"turned upright by {angle:+.2f}°")
    return page


def _ink(gray: np.ndarray, dpi: float) -> np.ndarray:
    """Dark pixels against the local background, without specks and without dark borders that
    touch the image edge (scanner shadows, the page's edge in a photo)."""
    cv2 = _cv2()
    block = int(dpi / 4) | 1
    smooth = gray  # no median filter: it erases one-pixel rulings; specks go by their size below
    ink = cv2.adaptiveThreshold(smooth, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    ink &= (smooth < 200).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    # a speck is small and far from other ink: a decimal point or a thousands comma touches its
    # digits, punctuation sits within a character's width of its text
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]) * 72.0 / dpi
    tiny = extent < 2.0  # points: a decimal point, a speck (a "1" is tall, a dash wide)
    small = extent < 4.0
    small[0] = tiny[0] = False
    big_ink = (~small[labels] & (labels > 0)).astype(np.uint8)
    drop = np.zeros(n, dtype=bool)
    for which, radius in ((tiny, 0.06), (small & ~tiny, 0.08)):
        r = max(2, int(dpi * radius))
        near = cv2.dilate(big_ink, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)))
        keep = np.zeros(n, dtype=bool)
        keep[np.unique(labels[(near > 0) & which[labels]])] = True
        drop |= which & ~keep
    for i in np.flatnonzero(~small):
        if i == 0:
            continue
        x, y, bw, bh, area = stats[i]
        if (x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1) and (
            bw > 0.5 * w or bh > 0.5 * h or area > 0.01 * w * h
        ):
            drop[i] = True  # a border along the edge, not a table that ends at it
    if drop.any():
        ink[drop[labels]] = 0
    # the outer edge of the page holds no text (margins are wider), only the page's own edge in a
    # photo or a scanner's shadow
    band_y, band_x = int(0.02 * h), int(0.02 * w)
    ink[:band_y] = 0
    ink[h - band_y :] = 0
    ink[:, :band_x] = 0
    ink[:, w - band_x :] = 0
    return ink


@dataclass(slots=True)
class Rule:
    pos: float  # y of a horizontal, x of a vertical rule (pixels)
    start: float
    end: float
    width: float  # thickness
    label: int = 0  # its component in the rulings mask


def rulings(ink: np.ndarray, dpi: float) -> tuple[list[Rule], list[Rule], np.ndarray]:
    """Horizontal and vertical rulings, and a mask of their pixels (to leave out of text)."""
    cv2 = _cv2()
    px = dpi / 72.0
    horizontal_mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, int(24 * px)), 1))
    )
    vertical_mask = cv2.morphologyEx(
        ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(6, int(10 * px))))
    )
    thick = max(2.0, 2.5 * px)
    h_labels, horizontal = _segments(horizontal_mask, True)
    v_labels, vertical = _segments(vertical_mask, False)
    horizontal = [r for r in horizontal if r.width <= thick]
    vertical = [r for r in vertical if r.width <= thick]
    reach = 4.0 * px
    # a column rule meets at least two row rules (its ends, or rows it crosses; a table cut by a
    # page break has no rule at its bottom); a character's stroke meets at most one
    vertical = [
        v
        for v in vertical
        if sum(
            1
            for h in horizontal
            if h.start - reach <= v.pos <= h.end + reach and v.start - reach <= h.pos <= v.end + reach
        )
        >= 2
    ]
    horizontal = [
        h
        for h in horizontal
        if h.end - h.start >= 40 * px
        or any(v.start - reach <= h.pos <= v.end + reach and abs(v.pos - h.start) <= reach for v in vertical)
    ]
    # the rulings' own pixels, a little grown: what is left of them must not read as text
    keep_h = np.zeros(int(h_labels.max()) + 1, dtype=bool)
    keep_h[[r.label for r in horizontal]] = True
    keep_v = np.zeros(int(v_labels.max()) + 1, dtype=bool)
    keep_v[[r.label for r in vertical]] = True
    mask = (keep_h[h_labels] | keep_v[v_labels]).astype(np.uint8)
    grow = max(3, int(round(px * 1.2)) | 1)
    mask = cv2.dilate(mask, np.ones((grow, grow), np.uint8))
    return horizontal, vertical, mask


def _segments(mask: np.ndarray, horizontal: bool) -> tuple[np.ndarray, list[Rule]]:
    cv2 = _cv2()
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    out: list[Rule] = []
    for i in range(1, n):
        x, y, w, h, area = (int(v) for v in stats[i])
        if horizontal:
            out.append(Rule(float(centroids[i][1]), float(x), float(x + w - 1), area / max(w, 1), i))
        else:
            out.append(Rule(float(centroids[i][0]), float(y), float(y + h - 1), area / max(h, 1), i))
    return labels, out


class Run(NamedTuple):
    box: Box  # tight around the run's ink (x0, top, x1, bottom), page pixels
    band: tuple[float, float]  # top and bottom of its line: runs of one line share it


def text_lines(ink: np.ndarray, x0: int, y0: int, x1: int, y1: int, gap: float) -> list[Run]:
    """Lines of ink inside a box (top to bottom), each cut into runs at horizontal gaps wider
    than `gap` line heights."""
    region = ink[y0:y1, x0:x1]
    if region.size == 0 or not region.any():
        return []
    rows = region.sum(axis=1)
    out: list[Run] = []
    for top, bottom in _bands(rows > 0, 1):
        band = region[top:bottom]
        cols = band.sum(axis=0) > 0
        for left, right in _bands(cols, max(2, int(gap * (bottom - top)))):
            piece = band[:, left:right]
            r = np.flatnonzero(piece.sum(axis=1))
            box = (x0 + left, y0 + top + int(r[0]), x0 + right, y0 + top + int(r[-1]) + 1)
            out.append(Run(box, (float(y0 + top), float(y0 + bottom))))
    return out


def _bands(on: np.ndarray, gap: int) -> list[tuple[int, int]]:
    """Runs of True, joining runs separated by fewer than `gap` False."""
    idx = np.flatnonzero(on)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > gap)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], [idx[-1]]]) + 1
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]
