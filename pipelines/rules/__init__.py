"""Statutory consistency rules (FORMAT.md §6): the catalogue in expectations/rules.yaml, run into the
`findings` table and validated with Great Expectations."""
