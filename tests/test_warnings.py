"""The run's warning filters (pyproject.toml): deprecated calls in our own code fail, a library's own stay warnings."""

import pytest
from wtforms import Form, SelectField

WARN = "import warnings\nwarnings.warn('this call is deprecated', DeprecationWarning)"


def test_a_deprecation_warning_raised_from_project_code_fails_the_run():
    for module in ("mall.example", "tenants.example"):
        with pytest.raises(DeprecationWarning):
            exec(WARN, {"__name__": module})


def test_a_third_party_deprecation_warning_stays_a_warning():
    with pytest.warns(DeprecationWarning):
        exec(WARN, {"__name__": "somelibrary.module"})


def test_a_form_declaring_tuple_choices_fails_the_run():
    class OldStyle(Form):
        kind = SelectField(choices=[("a", "A")])

    with pytest.raises(DeprecationWarning):
        OldStyle()
