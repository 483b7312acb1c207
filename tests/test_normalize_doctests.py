"""The examples in the normalisers' docstrings are part of their contract."""

import doctest

import pytest

from pipeline.normalize import contacts, ditto, identifiers, numbers, text, wareki


@pytest.mark.parametrize("module", [text, wareki, numbers, ditto, contacts, identifiers], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
