"""ID-5: a report whose opening sentence names another organ or year than its title keeps the title's
organ and year and gets an identity_issue row; the same organ written two ways does not."""

from __future__ import annotations

from pathlib import Path

from pipelines import identity, warehouse
from pipelines.identity import store
from pipelines.parsing.parse import PARSER_VERSION, parse_bytes
from pipelines.warehouse import load, schema


def _report(title: str, opening: str) -> bytes:
    rows = "".join(
        f"<tr><td>{label}</td><td>1</td><td>0</td><td>1</td></tr>" for label in ("规章", "行政规范性文件")
    )
    t3 = "".join(
        f"<td>{h}</td>"
        for h in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
    )
    return (
        f"<html><body><h1>{title}</h1><p>{opening}</p><p>一、总体情况</p>"
        "<table><tr><td>第二十条第（一）项</td></tr><tr><td>信息内容</td><td>本年制发件数</td>"
        f"<td>本年废止件数</td><td>现行有效件数</td></tr>{rows}</table>"
        f"<table><tr><td>申请人情况</td>{t3}</tr>"
        "<tr><td>一、本年新收政府信息公开申请数量</td>" + "<td>0</td>" * 7 + "</tr></table>"
        "<table><tr><td>行政复议</td><td>行政诉讼</td></tr><tr>" + "<td>0</td>" * 15 + "</tr></table>"
        # the numbered sections after the tables: a short page, not a page cut off
        "<p>五、存在的主要问题及改进情况</p><p>无。</p><p>六、其他需要报告的事项</p><p>无。</p>"
        "</body></html>"
    ).encode()


def test_opening_naming_another_organ_is_an_identity_issue(tmp_path: Path) -> None:
    other = parse_bytes(
        _report(
            "淮安市洪泽区财政局2024年度政府信息公开工作年度报告",
            "现将淮安市洪泽区商务局2024年政府信息公开工作年度报告如下。",
        ),
        "a.html",
    )
    assert (other.agency, other.year) == ("淮安市洪泽区财政局", 2024)  # the title's
    assert any(w.startswith("标题与正文开头不一致") for w in other.warnings)
    same = parse_bytes(
        _report(
            "淮安市洪泽区人民政府2024年度政府信息公开工作年度报告",
            "现将洪泽区人民政府2024年政府信息公开工作年度报告如下。本报告所列数据的统计期限自2024年1月1日起。",
        ),
        "b.html",
    )
    assert not any(w.startswith("标题与正文开头不一致") for w in same.warnings)
    year = parse_bytes(
        _report(
            "淮安市洪泽区商务局2024年度政府信息公开工作年度报告",
            "本报告所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
        ),
        "c.html",
    )
    con = warehouse.connect(tmp_path / "wh.duckdb")
    schema.migrate(con)
    load.load_reports(
        con,
        [("a.html", "h-a", other), ("b.html", "h-b", same), ("c.html", "h-c", year)],
        parser_version=PARSER_VERSION,
    )
    store.build(con, identity.make_resolver())
    rows = con.execute(
        "SELECT report_id, severity, name, message_zh FROM identity_issue WHERE rule_id = 'ID-5' ORDER BY 1"
    ).fetchall()
    assert [r[:3] for r in rows] == [
        ("h-a", "warning", "淮安市洪泽区财政局"),
        ("h-c", "warning", "淮安市洪泽区商务局"),
    ]
    assert "淮安市洪泽区商务局" in rows[0][3] and "2023" in rows[1][3]
    con.close()


def test_a_warehouse_from_before_id5_takes_id5_rows_after_migrating(tmp_path: Path) -> None:
    con = warehouse.connect(tmp_path / "old.duckdb")
    try:
        schema.migrate(con)
        # the table as release 0.1 made it: its CHECK knows ID-1..4 only
        con.execute("DROP TABLE identity_issue")
        ddl = next(r.sql for r in schema.relations() if r.name == "identity_issue")
        con.execute(ddl.replace(", 'ID-5'", ""))
        con.execute("UPDATE schema_version SET version = 1")
        con.execute("INSERT INTO identity_issue VALUES ('r', 'ID-4', 'info', 'a', 'n', 'm')")
        assert "0002_identity_issue_id5.sql" in schema.migrate(con)
        con.execute("INSERT INTO identity_issue VALUES ('r', 'ID-5', 'warning', 'a', 'n', 'm')")
        assert con.execute("SELECT rule_id FROM identity_issue").fetchall() == [("ID-5",)]
        assert schema.migrate(con) == []  # applied once
    finally:
        con.close()
