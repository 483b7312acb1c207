"""One module (or package) per document kind; each registers its KindSpec in extractors.base.

`load()` imports every module of this package, so a new kind is one new module here:
no list to extend anywhere else.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from extractors import base


@lru_cache(maxsize=1)
def kind_modules() -> tuple[str, ...]:
    """Every module or package directly in extractors/kinds/, by name."""
    return tuple(sorted(f"{__name__}.{info.name}" for info in pkgutil.iter_modules(__path__)))


def load() -> dict[str, base.KindSpec]:
    """Import every kind's module (registering its spec); kind → spec. Cheap once loaded."""
    for module in kind_modules():
        importlib.import_module(module)
    return {spec.kind: spec for spec in base.specs()}
