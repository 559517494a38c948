"""Every template compiles and everything it includes, imports or extends exists: a renamed template is an error."""

import pathlib
import re

from jinja2 import meta

ROOT = pathlib.Path(__file__).resolve().parents[1]
TEMPLATE_NAME = re.compile(r"""["']([\w/.-]+\.(?:html|txt))["']""")


def _templates(app) -> list[str]:
    return [name for name in app.jinja_env.list_templates() if name.endswith((".html", ".txt"))]


def test_every_template_compiles_and_names_only_templates_that_exist(app):
    env = app.jinja_env
    names = set(_templates(app))
    assert len(names) > 100  # the loader sees the project's templates, not an empty folder
    missing = []
    for name in sorted(names):
        env.get_template(name)  # a syntax error or an unknown filter/test fails here
        source = env.loader.get_source(env, name)[0]
        for referenced in meta.find_referenced_templates(env.parse(source)):
            assert referenced is not None, f"{name} includes a template whose name is computed"
            if referenced not in names:
                missing.append(f"{name} -> {referenced}")
    assert missing == []


def test_every_template_the_code_names_exists(app):
    names = set(_templates(app))
    missing = [
        f"{path.relative_to(ROOT)} -> {found}"
        for folder in ("mall", "tenants")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for found in TEMPLATE_NAME.findall(path.read_text())
        if "/" in found and found not in names
    ]
    assert missing == []
