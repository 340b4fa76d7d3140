"""The static site for oversight staff (issue 7): Chinese pages with Plotly charts, built from the
warehouse's marts, findings and star schema into a folder that works offline (file:// or any static
server). `pipelines.site.build.build_site(warehouse, out_dir)` is the entry point;
pipelines/defs/site.py runs it nightly.

Nothing is imported here: `gongkai --help` and `gongkai parse` build the CLI, which reads the
site's command-line module, and must not pay for the builder's imports (Plotly, the warehouse)."""
