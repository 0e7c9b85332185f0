import importlib
import sys

import pytest

from inspector.core.runtime.imports import hidden_modules


def test_a_hidden_module_fails_to_import_inside_and_imports_after():
    name = "wave"  # a standard-library module nothing here imports
    sys.modules.pop(name, None)
    with hidden_modules([name]):
        with pytest.raises(ImportError):
            importlib.import_module(name)
    assert name not in sys.modules
    assert importlib.import_module(name).__name__ == name


def test_a_module_already_imported_is_left_alone():
    with hidden_modules(["json"]):
        assert importlib.import_module("json") is sys.modules["json"]
