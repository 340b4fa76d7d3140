"""What one file may cost to parse: CPU time and memory, enforced from outside the parser.

Each file is parsed in a parser process (pipelines/ingest/pool.py) that the run watches while it
works: past either limit the process is killed, which harms nothing (it holds no warehouse state),
the file is quarantined with a one-line reason naming the limit, and a fresh process takes the next
file. The readers' own limits (pipelines/parsing/readers/limits.py) refuse what is far beyond a
report before building anything; this budget is the backstop for whatever they do not foresee.

- time: CPU seconds spent on the file (what the parse costs, whatever else the machine is doing),
  and a wall-clock backstop for a process that stops using CPU without finishing;
- memory: what the process holds above what it held before the file, in proportion to the file's
  size and capped.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Budget:
    cpu_seconds: float = 60.0
    # memory limit of one file: floor + per_byte × its size, at most cap
    memory_floor: int = 256 * MB
    memory_per_byte: int = 16
    memory_cap: int = 1536 * MB
    # how much longer than cpu_seconds a file may take on the clock (a loaded machine, a stuck process)
    wall_factor: float = 5.0
    wall_extra_seconds: float = 30.0

    def memory_limit(self, size: int) -> int:
        """Bytes a parser process may hold above its level before the file."""
        return min(self.memory_cap, self.memory_floor + self.memory_per_byte * max(size, 0))

    @property
    def wall_seconds(self) -> float:
        return self.cpu_seconds * self.wall_factor + self.wall_extra_seconds

    def time_reason(self) -> str:
        return f"parse exceeded the time limit ({_secs(self.cpu_seconds)} of CPU per file)"

    def wall_reason(self) -> str:
        return f"parse exceeded the time limit ({_secs(self.wall_seconds)} per file on the clock)"

    def memory_reason(self, size: int) -> str:
        return (
            f"parse exceeded the memory limit ({_mb(self.memory_limit(size))} for this file: "
            f"{_mb(self.memory_floor)} + {self.memory_per_byte} × its size, at most {_mb(self.memory_cap)})"
        )


DEFAULT = Budget()


def _secs(s: float) -> str:
    return f"{s:g} s"


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"
