"""sqlfluff over the SQL of expectations/rules.yaml (the rules' `sql` and `not_assessable_sql`), with the
project's .sqlfluff. `make lint` runs it; `--fix` rewrites the blocks in place.

    .venv/bin/python scripts/lint_rule_sql.py [--fix]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import sqlfluff
from sqlfluff.core import FluffConfig

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = REPO / "expectations" / "rules.yaml"
# a rule's SQL block: "    sql: |" then lines indented deeper (or blank)
BLOCK = re.compile(
    r"^(?P<indent> +)(?P<key>sql|not_assessable_sql): \|\n(?P<body>(?:(?P=indent)  .*\n|\n)+)", re.M
)


def blocks(text: str) -> list[re.Match[str]]:
    return list(BLOCK.finditer(text))


def dedent(body: str, indent: str) -> str:
    pad = indent + "  "
    return "".join(
        line[len(pad) :] if line.startswith(pad) else line.lstrip(" ") for line in body.splitlines(True)
    )


def main(argv: list[str]) -> int:
    fix = "--fix" in argv
    config = FluffConfig.from_path(str(REPO))
    text = CATALOGUE.read_text(encoding="utf-8")
    out, last, problems = [], 0, 0
    for m in blocks(text):
        sql = dedent(m["body"], m["indent"]).rstrip("\n") + "\n"
        line = text.count("\n", 0, m.start()) + 2
        if fix:
            sql = sqlfluff.fix(sql, config=config)
        for v in sqlfluff.lint(sql, config=config):
            problems += 1
            print(
                f"{CATALOGUE.relative_to(REPO)}:{line + v['start_line_no'] - 1}: {v['code']} {v['description']}"
            )
        pad = m["indent"] + "  "
        body = "".join(pad + s if s.strip() else "\n" for s in sql.rstrip("\n").splitlines(True)) + "\n"
        trailing = m["body"][len(m["body"].rstrip("\n")) + 1 :]  # blank lines after the block stay
        out.append(text[last : m.start()] + f"{m['indent']}{m['key']}: |\n" + body + trailing)
        last = m.end()
    if fix:
        CATALOGUE.write_text("".join(out) + text[last:], encoding="utf-8")
    print(f"{len(blocks(text))} SQL blocks of {CATALOGUE.relative_to(REPO)}: {problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
