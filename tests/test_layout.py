import csv

from pipelines import layout
from tests.conftest import SHARED


def test_cell_ids_equal_spec():
    with open(SHARED / "spec" / "cells.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    spec = {(r["cell_id"], r["format"], r["table"], r["col_label"], r["unit"]) for r in rows}
    mine = {(c.cell_id, c.format, c.table, c.col_label, c.unit) for c in layout.CELLS}
    assert mine == spec
    assert len(layout.CELL_IDS["F2019"]) == 198
    assert len(layout.CELL_IDS["F2021"]) == 200


def test_cell_order_is_spec_order_per_format():
    with open(SHARED / "spec" / "cells.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    for fmt in layout.FORMATS:
        spec = [r["cell_id"] for r in rows if r["format"] == fmt]
        assert list(layout.CELL_IDS[fmt]) == spec


def test_outcome_rows_per_format():
    assert len(layout.T3_OUTCOME_ROWS["F2019"]) == 19
    assert len(layout.T3_OUTCOME_ROWS["F2021"]) == 21


def test_label_normalisation():
    assert layout.norm_label("商业 企业") == "商业企业"
    assert layout.norm_label("（三）不予公开") == "(三)不予公开"
    assert layout.label_tail("三、本年度办理结果(三)不予公开1.属于国家秘密") == "1.属于国家秘密"
    assert layout.group_of("(六)其他处理") == "other"
    assert layout.group_of("予以公开") is None
