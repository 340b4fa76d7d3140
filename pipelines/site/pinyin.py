"""Names as Chinese readers look them up and list them: by pinyin (the order of a printed directory,
not the code-point order 东, 亭, 兴, 北), and by pinyin initials (dfqrmzf finds 大丰区人民政府).

pypinyin ships its dictionaries inside the package: nothing is downloaded.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def spelled(text: str) -> str:
    """The text in toneless pinyin, syllables separated by spaces (characters without pinyin kept)."""
    return " ".join(lazy_pinyin(text, errors="default"))


@lru_cache(maxsize=65536)
def initials(text: str) -> str:
    """The first letter of each syllable, lower case; other characters (digits, Latin) kept as they are."""
    return "".join(s[:1] for s in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()


def sort_key(text: str) -> tuple[str, str]:
    """Pinyin order, the text itself breaking ties between homophones."""
    return (spelled(text), text)
