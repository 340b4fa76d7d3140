"""A page renderer: `python -m pipelines.site.render_worker`, started by pool.Renderer.

First message: ("init", build folder, the pages' common context, the render function, its shared
data); then ("draw", key, args) for each page or batch of pages, answered with ("drawn", {page path: bytes
written}) or ("error", trace)."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

from pipelines import subprocs
from pipelines.site.render import Writer, make_env

_STATE: dict[str, Any] = {}


def handle(message: tuple[Any, ...]) -> tuple[Any, ...]:
    kind, *rest = message
    if kind == "init":
        root, common, render, shared = rest
        _STATE.update(w=Writer(Path(root), make_env(), common), render=render, shared=shared)
        return ("ok",)
    _key, args = rest
    w: Writer = _STATE["w"]
    w.sizes.clear()
    try:
        _STATE["render"](w, _STATE["shared"], args)
    except Exception:
        return ("error", traceback.format_exc())
    return ("drawn", dict(w.sizes))


if __name__ == "__main__":
    sys.exit(subprocs.serve(handle))
