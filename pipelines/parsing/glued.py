"""Splitting digit runs that a crawler printed without cell separators ("21710000218").

Only the table's structure can split them: how many cells the row has, that a count has no
leading zero, that the row's 总计 is the sum of its applicant columns, that the columns add up.
These functions enumerate the splits those constraints leave; the mapper decides and marks a
cell uncertain when more than one split survives.

The enumeration is a depth-first search over the pieces of the run, left to right. A sum rule
given as structure (`total_at`, the blocks of `split_blocks`) prunes it: the last piece of a sum
group is computed, not searched, and a partial sum that no remaining digits could reach ends a
branch. Every search is bounded by the work it does: each piece tried is one state, and a search
stops after `MAX_STATES` states (fewer when a document's `Budget` runs low), keeping only the
splits found so far. Memory is the search's stack (one entry per cell) and the splits kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

Split = tuple[int, ...]
# A search keeps at most this many splits; a run that admits more is reported as a guess.
MAX_SPLITS = 20000
# States (pieces tried) one search may explore, and all searches of one document together. A
# plausible row or 表四 run needs a few thousand; a 60-digit run would need billions.
MAX_STATES = 200_000
MAX_DOCUMENT_STATES = 1_000_000


class Budget:
    """States the searches of one document may still explore."""

    def __init__(self, states: int = MAX_DOCUMENT_STATES) -> None:
        self.left = states


class Splits(list[Split]):
    """Splits in enumeration order. `stopped` is why the search ended before trying every split:
    None (it tried them all), "limit" (it kept `limit` splits) or "budget" (it explored `states`
    states, its budget); only after "budget" may the constraints allow splits not listed."""

    stopped: str | None = None
    states: int = 0

    @property
    def budget_hit(self) -> bool:
        return self.stopped == "budget"


def budget_note(run: str, found: Splits) -> str:
    """Why the cells of a run whose search ran out of states are uncertain."""
    kept = f"{len(found)} split(s) found so far" if found else "no split found"
    return (
        f"glued run {run!r}: too many ways to split it; the search stopped after {found.states} "
        f"states ({kept}), so other splits may fit"
    )


class _Stop(Exception):
    pass


_FITS, _SKIP, _STOP = 0, 1, 2


class _Search:
    """Depth-first search for the splits of `chunks` (space-free runs, each starting a new cell)
    into n integers, each of whose groups (total index, member indexes) has its total equal to
    the sum of its members. One instance runs one search; `states` counts the pieces tried."""

    def __init__(
        self,
        chunks: Sequence[str],
        n: int,
        groups: Sequence[tuple[int, Sequence[int]]],
        cap: int,
    ) -> None:
        self.signs = [c[0] if c[:1] in "+-" else "" for c in chunks]
        self.digits = [c[len(s) :] for c, s in zip(chunks, self.signs, strict=True)]
        self.n, self.groups, self.cap = n, groups, cap
        self.signed = any(self.signs)
        self.states = 0
        # per cell index: the groups it totals and the groups it is a member of
        self.totals: list[list[int]] = [[] for _ in range(n)]
        self.members: list[list[int]] = [[] for _ in range(n)]
        for g, (t, ms) in enumerate(groups):
            self.totals[t].append(g)
            for m in ms:
                self.members[m].append(g)
        # when the last cell totals all the others (a 表三 row), it is searched first: every
        # other cell is then bounded by a known total
        self.tail_first = not self.signed and len(groups) == 1 and groups[0][0] == n - 1
        order = [n - 1, *range(n - 1)] if self.tail_first else list(range(n))
        # per cell index: the groups whose value it completes (their last cell in search order)
        self.closes: list[list[int]] = [[] for _ in range(n)]
        for g, (t, ms) in enumerate(groups):
            self.closes[max((t, *ms), key=order.index)].append(g)
        self.msum = [0] * len(groups)  # sum of the members placed so far
        self.mleft = [len(ms) for _, ms in groups]  # members not placed yet
        self.gtotal: list[int | None] = [None] * len(groups)
        self.vals: list[int] = []

    def tick(self) -> None:
        self.states += 1
        if self.states > self.cap:
            raise _Stop("budget")

    def run(self, counts: tuple[int, ...] | None, emit: Callable[[Split], None]) -> None:
        """Every split (with `counts` cells per chunk, when given) to `emit`, in the order of the
        pieces' lengths, first piece shortest first."""
        if not self.tail_first:
            self._rec(self.digits, counts, 0, 0, 0, emit)
            return
        # the final total first: each length it may have, then the cells before it, sorted
        found: list[Split] = []
        digits, last = self.digits[:-1], self.digits[-1]
        lengths = [len(last)] if counts is not None and counts[-1] == 1 else range(1, len(last) + 1)
        try:
            for t in lengths:
                self.tick()
                piece = last[len(last) - t :]
                if len(piece) > 1 and piece[0] == "0":
                    continue
                v = int(piece)
                head = [*digits, last[: len(last) - t]] if t < len(last) else digits
                head_counts = counts
                if counts is not None:
                    head_counts = (*counts[:-1], counts[-1] - 1) if t < len(last) else counts[:-1]
                self._place(self.n - 1, v)

                def keep(s: Split, v: int = v) -> None:
                    found.append((*s, v))

                try:
                    self._rec(head, head_counts, 0, 0, 0, keep)
                finally:
                    self._unplace(self.n - 1, v)
        finally:
            # what was found, also when the budget ran out
            found.sort(key=lambda s: tuple(len(str(x)) for x in s))
            for s in found:
                emit(s)

    def _fits(self, i: int, v: int, rest_digits: int, cells_after: int) -> int:
        """Can cell i take value v, given its groups and `rest_digits` digits left for the
        `cells_after` cells still to place after it? _FITS, _SKIP (no), or _STOP (no, and no
        longer piece can either: it would only be larger)."""
        for g in self.closes[i]:
            t, _ = self.groups[g]
            want = self.msum[g] if t == i else (self.gtotal[g] or 0) - self.msum[g]
            if v != want:
                return _SKIP
        if self.signed:
            return _FITS
        # the longest number the remaining cells could hold
        longest = rest_digits - (cells_after - 1)
        for g in self.members[i]:
            total = self.gtotal[g]
            s = self.msum[g] + v
            if total is not None:
                if s > total:
                    return _STOP
                if self.mleft[g] > 1 and longest > 0 and s + (self.mleft[g] - 1) * (10**longest - 1) < total:
                    return _SKIP
            elif longest <= 0 or s > 10**longest - 1:
                return _STOP  # the total, still to come, could not be this large
        return _FITS

    def _place(self, i: int, v: int) -> None:
        for g in self.totals[i]:
            self.gtotal[g] = v
        for g in self.members[i]:
            self.msum[g] += v
            self.mleft[g] -= 1

    def _unplace(self, i: int, v: int) -> None:
        for g in self.totals[i]:
            self.gtotal[g] = None
        for g in self.members[i]:
            self.msum[g] -= v
            self.mleft[g] += 1

    def _rec(
        self,
        digits: Sequence[str],
        counts: tuple[int, ...] | None,
        ci: int,
        pos: int,
        in_chunk: int,
        emit: Callable[[Split], None],
    ) -> None:
        vals = self.vals
        i = len(vals)
        n = self.n - (1 if self.tail_first else 0)  # cells this recursion places
        if i == n:
            if ci == len(digits):
                emit(tuple(vals))
            return
        if ci == len(digits):
            return
        d = digits[ci]
        rest = sum(len(x) for x in digits[ci + 1 :])
        # every later chunk needs a cell, and every cell a digit
        if n - i < len(digits) - ci or n - i > len(d) - pos + rest:
            return
        lead = self.signs[ci] if pos == 0 else ""
        first, last = pos + 1, len(d)  # where this cell's piece may end
        if counts is not None:
            k = counts[ci] - in_chunk  # cells still to place in this chunk, this one included
            if k == 1:
                first = len(d)
            else:
                last = len(d) - k + 1
        elif n - i == 1:
            if ci + 1 < len(digits):
                return
            first = len(d)
        wants = {
            self.msum[g] if self.groups[g][0] == i else (self.gtotal[g] or 0) - self.msum[g]
            for g in self.closes[i]
        }
        if wants:
            # a group's last cell: its value, and so its length, is known
            if len(wants) > 1:
                return
            end = pos + len(str(abs(wants.pop())))
            if not first <= end <= last:
                return
            first = last = end
        for end in range(first, last + 1):
            self.tick()
            piece = d[pos:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            v = int(lead + piece)
            fits = self._fits(i, v, len(d) - end + rest, n - i - 1)
            if fits == _STOP:
                break
            if fits == _SKIP:
                continue
            vals.append(v)
            self._place(i, v)
            if end == len(d):
                self._rec(digits, counts, ci + 1, 0, 0, emit)
            else:
                self._rec(digits, counts, ci, end, in_chunk + 1, emit)
            self._unplace(i, v)
            vals.pop()


def _search(
    chunks: Sequence[str],
    n: int,
    groups: Sequence[tuple[int, Sequence[int]]],
    accept: Callable[[Split], bool] | None,
    limit: int,
    budget: Budget | None,
    counts_first: bool,
) -> Splits:
    """Splits of `chunks` into n integers under `groups` (see _Search). With counts_first, in the
    order of how many cells each chunk holds, then of the pieces' lengths; without, in the order
    of the pieces' lengths."""
    out = Splits()
    cap = MAX_STATES if budget is None else max(0, min(MAX_STATES, budget.left))
    search = _Search(chunks, n, groups, cap)

    def emit(s: Split) -> None:
        if accept is None or accept(s):
            out.append(s)
            if len(out) >= limit:
                raise _Stop("limit")

    try:
        if counts_first:
            for counts in _chunk_counts(chunks, n):
                search.tick()
                search.run(counts, emit)
        else:
            search.run(None, emit)
    except _Stop as stop:
        out.stopped = str(stop)
    out.states = min(search.states, cap)
    if budget is not None:
        budget.left -= out.states
    return out


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
    run: str,
    n: int,
    accept: Callable[[Split], bool] | None = None,
    limit: int = MAX_SPLITS,
    *,
    total_at: int | None = None,
    budget: Budget | None = None,
) -> Splits:
    """Splits of `run` into n integers; spaces in the run are forced cell boundaries. With
    `total_at`, only splits whose value at that index is the sum of the others; `accept` filters
    further."""
    chunks = _chunks(run)
    if chunks is None:
        return Splits()
    groups = [(total_at, [i for i in range(n) if i != total_at])] if total_at is not None else []
    return _search(chunks, n, groups, accept, limit, budget, counts_first=True)


def _chunks(run: str) -> list[str] | None:
    """The run's space-free chunks, or None when it holds more than digits and signs."""
    # a sign starts a new cell, like a space does
    chunks = re.sub(r"(?<=\d)([+-])", r" \1", run).split()
    if any(not c.lstrip("+-").isdigit() for c in chunks):
        return None
    return chunks


def row_sum_ok(values: Split) -> bool:
    """The last value is the sum of the others (表三: 总计 = the six applicant columns)."""
    return sum(values[:-1]) == values[-1]


def split_blocks(run: str, block: int, blocks: int, budget: Budget | None = None) -> Splits:
    """表四: `blocks` blocks of `block` numbers, each block's last number its total."""
    chunks = _chunks(run)
    if chunks is None:
        return Splits()
    groups = [(b * block + block - 1, range(b * block, b * block + block - 1)) for b in range(blocks)]
    return _search(chunks, block * blocks, groups, None, MAX_SPLITS, budget, counts_first=False)


def split_blocks_but_one(run: str, block: int, blocks: int, budget: Budget | None = None) -> Splits:
    """表四 when no split has every block sum to its total (a publisher's arithmetic error): the
    splits where every block but one does, the one whose total misses its sum by least first."""
    chunks = _chunks(run)
    if chunks is None:
        return Splits()
    out = Splits()
    seen: set[Split] = set()
    for skip in range(blocks):
        groups = [
            (b * block + block - 1, range(b * block, b * block + block - 1))
            for b in range(blocks)
            if b != skip
        ]
        # the searches together take at most one search's states
        share = Budget(MAX_STATES // blocks if budget is None else min(MAX_STATES // blocks, budget.left))
        found = _search(chunks, block * blocks, groups, None, MAX_SPLITS, share, counts_first=False)
        if budget is not None:
            budget.left -= found.states
        out.states += found.states
        out.stopped = out.stopped or found.stopped
        for s in found:
            if s not in seen:
                seen.add(s)
                out.append(s)

    def miss(s: Split) -> int:
        return sum(
            abs(sum(s[b * block : b * block + block - 1]) - s[b * block + block - 1]) for b in range(blocks)
        )

    out.sort(key=miss)
    return out


Reading = tuple[int | None, ...]


def blank_readings(
    run: str,
    n: int,
    groups: Sequence[tuple[int, Sequence[int]]],
    limit: int,
    budget: Budget | None = None,
    counts_first: bool = True,
) -> list[Reading]:
    """Readings of `run` as n cells of which one was left blank: a dump drops a blank cell without
    a trace, so a row printed with a cell left empty has the digits of n - 1 numbers. For each
    position of the blank (None), the splits of the run into the other n - 1 cells under `groups`
    (total index, member indexes, over all n cells): a blank total leaves its group unchecked, a
    blank member counts as nothing. At most `limit` splits per position; the positions share
    what one search may explore."""
    chunks = _chunks(run)
    if chunks is None or n < 2:
        return []
    out: list[Reading] = []
    for k in range(n):

        def at(i: int, k: int = k) -> int:
            return i - (i > k)

        kept = [(at(t), [at(m) for m in ms if m != k]) for t, ms in groups if t != k]
        share = Budget(MAX_STATES // n if budget is None else min(MAX_STATES // n, budget.left))
        found = _search(chunks, n - 1, kept, None, limit, share, counts_first)
        if budget is not None:
            budget.left -= found.states
        out += [(*s[:k], None, *s[k:]) for s in found]
    return out


def block_groups(block: int, blocks: int) -> list[tuple[int, range]]:
    """表四's sum groups: `blocks` blocks of `block` cells, each block's last cell its total."""
    return [(b * block + block - 1, range(b * block, b * block + block - 1)) for b in range(blocks)]
