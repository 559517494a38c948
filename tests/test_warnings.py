"""The run's warning filters (pyproject.toml): deprecated calls in our own code fail, a library's own stay warnings."""

import warnings

import pytest
from wtforms import Form, SelectField


def warn_from(module: str) -> None:
    """A DeprecationWarning as if raised by code in `module` (the filters match on the module's name)."""
    warnings.warn_explicit("this call is deprecated", DeprecationWarning, f"{module.replace('.', '/')}.py", 1, module)


def test_a_deprecation_warning_raised_from_project_code_fails_the_run():
    for module in ("mall.example", "tenants.example"):
        with pytest.raises(DeprecationWarning):
            warn_from(module)


def test_a_third_party_deprecation_warning_stays_a_warning():
    with pytest.warns(DeprecationWarning):
        warn_from("somelibrary.module")


def test_a_form_declaring_tuple_choices_fails_the_run():
    class OldStyle(Form):
        kind = SelectField(choices=[("a", "A")])

    with pytest.raises(DeprecationWarning):
        OldStyle()
