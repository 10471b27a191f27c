"""The documentation site (``mkdocs.yml``): an API page for every public package, and each page
lists every public name of its package.

The site itself is built by ``make docs`` (``mkdocs build --strict``, part of ``make test``); this
checks what a strict build cannot see: a package without a page, or a public name that griffe
(mkdocstrings' reader) does not count as public and so leaves off its page.
"""

from __future__ import annotations

import functools
import importlib
from pathlib import Path

import griffe
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "foldloop",
    "foldloop.train",
    "foldloop.metrics",
    "foldloop.handlers",
    "foldloop.io",
    "foldloop.data",
    "foldloop.distributed",
    "foldloop.plot",
    "foldloop.testing",
    "foldloop.tree",
)


def public_names(package: str) -> set[str]:
    """What ``from package import *`` gives: ``__all__``, else the names without ``_``."""
    module = importlib.import_module(package)
    exported = getattr(module, "__all__", None)
    if exported is not None:
        return set(exported)
    return {name for name in vars(module) if not name.startswith("_")} - {"annotations"}


@functools.cache
def _foldloop() -> griffe.Module:
    extensions = griffe.load_extensions(str(ROOT / "tools" / "docsite.py") + ":PublicExports")
    loaded = griffe.load("foldloop", search_paths=[ROOT / "src"], extensions=extensions)
    assert isinstance(loaded, griffe.Module)
    return loaded


def documented_names(package: str) -> set[str]:
    """The members griffe, with the site's extension, shows on the package's API page (as
    ``mkdocs.yml`` configures it: no submodules, no ``_`` names)."""
    module = _foldloop()
    for part in package.split(".")[1:]:
        module = module.modules[part]
    return {
        name
        for name, member in module.members.items()
        if member.is_public and not member.is_module and not name.startswith("_")
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_package_has_an_api_page_in_the_nav(package: str) -> None:
    page = ROOT / "docs" / "api" / f"{package}.md"
    assert f"::: {package}\n" in page.read_text(encoding="utf-8")
    assert f"api/{package}.md" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize("package", PACKAGES)
def test_the_api_page_lists_every_public_name(package: str) -> None:
    assert documented_names(package) == public_names(package)


def test_every_public_package_is_listed() -> None:
    subpackages = {
        f"foldloop.{path.parent.name}"
        for path in (ROOT / "src" / "foldloop").glob("*/__init__.py")
        if path.parent.name not in {"core", "examples"}  # core: foldloop's names; examples: jobs
    }
    assert {"foldloop", *subpackages} == set(PACKAGES)
