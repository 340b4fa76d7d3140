"""Names as Chinese readers look them up and list them: by pinyin (the order of a printed directory,
not the code-point order 东, 亭, 兴, 北), and by pinyin initials (dfqrmzf finds 大丰区人民政府).

pypinyin ships its dictionaries inside the package: nothing is downloaded. It converts about 18,000
names a second here, so a build keeps the syllables of every name it spelled in the site folder
(`FILE`) and the next build takes from there those of the names it spells again (`Spellings.read`): a
nation's 157,748 organs and their full names (search.py) are converted once, not every night.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import metadata
from pathlib import Path

from pypinyin import lazy_pinyin

# In the site folder: the syllables of every name the build spelled, for the next build.
FILE = "assets/pinyin.json"
# Between a name's syllables as kept (a name holding it is spelled afresh each time). Syllables are
# letters, and pypinyin keeps what it cannot spell as it is, so no syllable of another name holds it.
_SEP = "|"


def _convert(text: str) -> list[str]:
    return lazy_pinyin(text, errors="default")


@cache
def version() -> str:
    """What the kept syllables are a function of besides the name: pypinyin and this code."""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return f"pypinyin=={metadata.version('pypinyin')};{code}"


class Spellings:
    """Names' toneless pinyin syllables, each name converted once: a name a previous build spelled
    (`known`) is taken from there, any other converted by pypinyin. `names` holds the syllables of
    every name asked for, in the order first asked, for the next build (`content`)."""

    def __init__(self, known: Mapping[str, str] | None = None) -> None:
        self._known = dict(known or {})
        self.names: dict[str, str] = {}

    def _items(self, text: str) -> list[str]:
        if _SEP in text:
            return _convert(text)
        joined = self.names.get(text)
        if joined is None:
            joined = self._known.pop(text, None)
            if joined is None:
                joined = _SEP.join(_convert(text))
            self.names[text] = joined
        return joined.split(_SEP)

    def spelled(self, text: str) -> str:
        """The text in toneless pinyin, syllables separated by spaces (characters without pinyin kept)."""
        return " ".join(self._items(text))

    def initials(self, text: str) -> str:
        """The first letter of each syllable, lower case; other characters (digits, Latin) kept as they
        are. The first letters of the toneless syllables are pypinyin's FIRST_LETTER style (a test holds
        them equal), so a name is converted once for both."""
        return "".join(s[:1] for s in self._items(text)).lower()

    def sort_key(self, text: str) -> tuple[str, str]:
        """Pinyin order, the text itself breaking ties between homophones."""
        return (self.spelled(text), text)

    def content(self) -> bytes:
        """What `read` takes back: the syllables of every name spelled, under this code's version."""
        data = {"version": version(), "names": self.names}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def read(cls, site: Path | None) -> Spellings:
        """The names a build of the site in `site` spelled (its `FILE`); none when there is no such
        site, or the file is missing, unreadable or written by another pypinyin or code."""
        if site is None:
            return cls()
        try:
            data = json.loads((site / FILE).read_bytes())
        except (OSError, ValueError):
            return cls()
        names = data.get("names") if isinstance(data, dict) and data.get("version") == version() else None
        if not isinstance(names, dict):
            return cls()
        return cls({k: v for k, v in names.items() if isinstance(v, str) and _SEP not in k})


# For callers outside a build: every name converted once per process.
_ANY = Spellings()


def spelled(text: str) -> str:
    """Spellings.spelled, for callers outside a build."""
    return _ANY.spelled(text)


def initials(text: str) -> str:
    """Spellings.initials, for callers outside a build."""
    return _ANY.initials(text)


def sort_key(text: str) -> tuple[str, str]:
    """Spellings.sort_key, for callers outside a build."""
    return _ANY.sort_key(text)
