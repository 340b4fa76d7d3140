"""Turning the bytes of a published page into text.

Chinese government pages are UTF-8 or GBK/GB2312/GB18030, and their declarations are not to be
trusted: CMS templates keep `charset=gb2312` long after the site moved to UTF-8. So the bytes
decide, and a declaration only breaks ties between encodings that all decode cleanly.
"""

from __future__ import annotations

import codecs
import re

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE one.
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Declared encodings tried before the gb18030 guess: a page declaring big5 is not read as GB.
_CJK_MULTIBYTE = {"gb18030", "big5", "big5hkscs", "cp950", "euc_jp", "shift_jis", "euc_kr"}
# A declaration is looked for where browsers look for it (they prescan 1024 bytes; CMS pages
# often put long comments or scripts first, hence the wider window).
_PRESCAN = 8192
_DECLARED = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def codec_for(label: str) -> str | None:
    """The Python codec used for a charset label (gb2312/gbk → gb18030); None if unknown."""
    low = label.strip().lower()
    # gb2312/gbk pages routinely contain characters only their superset gb18030 has (GBK
    # extensions, the euro sign from Word), and gb18030 decodes their valid bytes identically.
    # Covers gb2312, gbk, x-gbk, gb_2312-80, csgb2312 and cp936, some of which Python does not know.
    if "gb" in low or low in ("cp936", "ms936", "936"):
        return "gb18030"
    # Browsers read a meta-declared UTF-16 as UTF-8: a page cannot declare UTF-16 inside itself.
    if low.startswith(("utf-16", "utf16", "utf-32", "utf32", "unicode")):
        return "utf-8"
    try:
        return codecs.lookup(low).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset label the page declares (meta charset, http-equiv or XML declaration), lowercased."""
    m = _DECLARED.search(data, 0, _PRESCAN)
    return (m.group(1) or m.group(2)).decode("ascii").lower() if m else None


def decode_bytes(data: bytes, declared_hint: bool = True) -> tuple[str, str]:
    """Decode `data`, returning (text, codec name actually used).

    Order: a BOM wins; then strict UTF-8 (a page that is valid UTF-8 is UTF-8 whatever it
    declares); then the declared encoding if it is a CJK multibyte one (gb2312/gbk read as
    gb18030); then gb18030; then any other declared encoding. If none decodes strictly, the
    candidate with the fewest U+FFFD replacements is used with errors='replace'.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    label = declared_charset(data) if declared_hint else None
    declared = codec_for(label) if label else None
    candidates = ["utf-8"]
    if declared in _CJK_MULTIBYTE:
        candidates.append(declared)
    candidates.append("gb18030")
    if declared is not None and declared not in candidates:
        candidates.append(declared)
    for name in candidates:
        try:
            return data.decode(name), name
        except UnicodeDecodeError:
            continue
    decoded = [(data.decode(name, errors="replace"), name) for name in candidates]
    return min(decoded, key=lambda tn: tn[0].count("\ufffd"))


def looks_binary(data: bytes) -> bool:
    """True when `data` is not text: a known binary file signature, NUL bytes (outside a UTF-16/32
    BOM'd text), or more than 10% control characters in the first 8 KB."""
    head = data[:_PRESCAN]
    if head.startswith(_MAGIC):
        return True
    if any(head.startswith(bom) for bom, name in _BOMS if name != "utf-8"):
        return False
    if b"\x00" in head:
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls * 10 > len(head)
