import pytest

from pipelines.parsing.numbers import parse_value


@pytest.mark.parametrize(
    "text,kind,value",
    [
        ("0", "number", 0),
        ("", "blank", None),
        ("  ", "blank", None),
        ("—", "dash", None),
        ("-", "dash", None),
        ("/", "dash", None),
        ("无", "dash", None),
        ("１２", "number", 12),
        ("5件", "number", 5),
        ("251000元", "number", 251000),
        ("1,234", "number", 1234),
        ("+12", "number", 12),
        ("-3", "number", -3),
        ("减少3", "number", -3),
        ("5949.088667", "number", 5949.088667),
        ("见附件", "text", None),
    ],
)
def test_parse_value(text, kind, value):
    assert parse_value(text) == (kind, value)
