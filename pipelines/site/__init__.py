"""The static site for oversight staff (issue 7): Chinese pages with Plotly charts, built from the
warehouse's marts, findings and star schema into a folder that works offline (file:// or any static
server). `build_site(warehouse, out_dir)` is the entry point; pipelines/defs/site.py runs it nightly."""

from pipelines.site.build import MAX_PAGE_BYTES, BuildResult, build_site

__all__ = ["MAX_PAGE_BYTES", "BuildResult", "build_site"]
