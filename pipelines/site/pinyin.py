"""Names as Chinese readers look them up and list them: by pinyin (the order of a printed directory,
not the code-point order 东, 亭, 兴, 北), and by pinyin initials (dfqrmzf finds 大丰区人民政府).

pypinyin ships its dictionaries inside the package: nothing is downloaded.
"""

from __future__ import annotations

from functools import cache

from pypinyin import lazy_pinyin

# Between a name's syllables in the cache (a name holding it is spelled afresh each time).
_SEP = "\x00"


@cache  # every organ's name is looked up by several pages: ~25 MB at national size
def _syllables(text: str) -> str:
    return _SEP.join(lazy_pinyin(text, errors="default"))


def _items(text: str) -> list[str]:
    return lazy_pinyin(text, errors="default") if _SEP in text else _syllables(text).split(_SEP)


def spelled(text: str) -> str:
    """The text in toneless pinyin, syllables separated by spaces (characters without pinyin kept)."""
    return " ".join(_items(text))


def initials(text: str) -> str:
    """The first letter of each syllable, lower case; other characters (digits, Latin) kept as they are.
    The first letters of the toneless syllables are pypinyin's FIRST_LETTER style (a test holds them
    equal), so a name is converted once for both."""
    return "".join(s[:1] for s in _items(text)).lower()


def sort_key(text: str) -> tuple[str, str]:
    """Pinyin order, the text itself breaking ties between homophones."""
    return (spelled(text), text)
