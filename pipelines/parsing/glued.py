"""Splitting digit runs that a crawler printed without cell separators ("21710000218").

Only the table's structure can split them: how many cells the row has, that a count has no
leading zero, that the row's 总计 is the sum of its applicant columns, that the columns add up.
These functions enumerate the splits those constraints leave; the mapper decides and marks a
cell uncertain when more than one split survives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from itertools import product

Split = tuple[int, ...]
# Enumerations are capped: a run that admits more splits than this is reported as a guess.
MAX_SPLITS = 20000


def _parts(chunk: str, k: int) -> Iterator[list[str]]:
    """Ways to cut one space-free chunk of digits into k numbers without leading zeros.
    A chunk that starts with a sign ("-18538", F2019 本年增/减) starts with that signed number."""
    if chunk[:1] in "+-" and len(chunk) > 1:
        for parts in _parts(chunk[1:], k):
            yield [chunk[0] + parts[0], *parts[1:]]
        return
    if k == 1:
        if chunk and (chunk == "0" or chunk[0] != "0"):
            yield [chunk]
        return
    first_max = len(chunk) - (k - 1)
    for i in range(1, first_max + 1):
        head = chunk[:i]
        if len(head) > 1 and head[0] == "0":
            break
        for rest in _parts(chunk[i:], k - 1):
            yield [head, *rest]


def _chunk_counts(chunks: Sequence[str], n: int) -> Iterator[tuple[int, ...]]:
    """How many numbers each space-separated chunk holds, summing to n."""
    if not chunks:
        if n == 0:
            yield ()
        return
    head, rest = chunks[0], chunks[1:]
    min_rest = len(rest)
    for k in range(1, min(len(head.lstrip("+-")), n - min_rest) + 1):
        for tail in _chunk_counts(rest, n - k):
            yield (k, *tail)


def splits(
    run: str, n: int, accept: Callable[[Split], bool] | None = None, limit: int = MAX_SPLITS
) -> list[Split]:
    """All splits of `run` into n integers; spaces in the run are forced cell boundaries."""
    # a sign starts a new cell, like a space does
    chunks = re.sub(r"(?<=\d)([+-])", r" \1", run).split()
    if any(not c.lstrip("+-").isdigit() for c in chunks):
        return []
    out: list[Split] = []
    for counts in _chunk_counts(chunks, n):
        per_chunk = [list(_parts(c, k)) for c, k in zip(chunks, counts, strict=True)]
        for combo in product(*per_chunk):
            values = tuple(int(x) for part in combo for x in part)
            if accept is None or accept(values):
                out.append(values)
                if len(out) >= limit:
                    return out
    return out


def row_sum_ok(values: Split) -> bool:
    """The last value is the sum of the others (表三: 总计 = the six applicant columns)."""
    return sum(values[:-1]) == values[-1]


def split_blocks(run: str, block: int, blocks: int) -> list[Split]:
    """表四: `blocks` blocks of `block` numbers, each block's last number its total."""
    chunks = run.split()
    if any(not c.isdigit() for c in chunks):
        return []
    text = "".join(chunks)
    # positions (in `text`) where a boundary is forced by a space
    forced: set[int] = set()
    offset = 0
    for c in chunks[:-1]:
        offset += len(c)
        forced.add(offset)
    results: list[Split] = []

    def rec(pos: int, acc: list[int], need: int) -> None:
        if len(results) >= MAX_SPLITS:
            return
        if need == 0:
            if pos == len(text):
                results.append(tuple(acc))
            return
        in_block = len(acc) % block
        for end in range(pos + 1, len(text) + 1):
            piece = text[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            # a forced boundary strictly inside the piece is not allowed
            if any(p in forced for p in range(pos + 1, end)):
                break
            if end < len(text) and need == 1:
                continue
            if end == len(text) and need > 1:
                break
            value = int(piece)
            if in_block == block - 1 and sum(acc[len(acc) - in_block :]) != value:
                continue
            rec(end, [*acc, value], need - 1)

    rec(0, [], block * blocks)
    return results
