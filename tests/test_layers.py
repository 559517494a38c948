"""The import picture reads top-down: infrastructure imports no feature, and no feature imports another's views."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
INFRASTRUCTURE = ["mall/jobs", "mall/extensions.py", "mall/rendering.py", "mall/redis_setup.py", "mall/templating.py",
                  "mall/settings.py", "mall/clock.py", "mall/forms.py", "mall/urls.py", "mall/batching.py"]
FEATURES = {p.name for p in (ROOT / "mall").iterdir() if (p / "__init__.py").exists() and p.name != "jobs"} | {"tenants"}


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.update([node.module] + [f"{node.module}.{alias.name}" for alias in node.names])
    return names


def _feature_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "tenants":
        return "tenants"
    if parts[0] == "mall" and len(parts) > 1 and parts[1] in FEATURES:
        return parts[1]
    return None


def _files(*places: str) -> list[pathlib.Path]:
    found = []
    for place in places:
        path = ROOT / place
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def test_infrastructure_imports_no_feature_and_not_the_app():
    upward = [
        f"{path.relative_to(ROOT)} -> {module}"
        for path in _files(*INFRASTRUCTURE)
        for module in _imports(path)
        if _feature_of(module) or module in ("mall", "mall.app", "mall.create_app", "mall.schedule")
    ]
    assert upward == []


def test_no_feature_imports_another_features_views():
    crossing = []
    for path in _files("mall", "tenants"):
        own = _feature_of(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if path.name == "app.py" and path.parent.name == "mall":
            continue  # the factory registers every blueprint
        for module in _imports(path):
            last = module.split(".")[2] if module.count(".") >= 2 else ""
            views = last == "blueprint" or last.endswith("_views")
            if views and _feature_of(module) not in (None, own):
                crossing.append(f"{path.relative_to(ROOT)} -> {module}")
    assert crossing == []
