"""`python3 -m mall run` / `python3 -m mall test [pytest args]` on a fresh checkout.

Standard library only: creates `.venv` in the project root when it is missing, installs the
project into it (again only when pyproject.toml changed), then re-runs itself as
`.venv/bin/python -m mall.dev run|test ...`, which does the real work.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
INSTALL_STAMP = VENV / ".flashmall-pyproject.sha256"  # pyproject.toml's hash at the last install
COMMANDS = ("run", "test")
USAGE = """usage: python3 -m mall run               start the mall (web + worker) on http://127.0.0.1:5000
       python3 -m mall test [pytest args]  run the test suite"""


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):
        return _fail(f"Flashmall needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not argv or argv[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 2
    if not _venv_works() and not _create_venv():
        return _fail(f"Could not create the virtualenv at {VENV}. On Debian: apt-get install -y python3-venv")
    if not _install_if_changed():
        return _fail('Installing the project failed (see pip\'s output above). Retry with: python3 -m mall ' + argv[0])
    os.chdir(ROOT)
    os.execv(VENV_PYTHON, [str(VENV_PYTHON), "-m", "mall.dev", *argv])


def _venv_works() -> bool:
    if not VENV_PYTHON.exists():
        return False
    return subprocess.run([VENV_PYTHON, "-c", "import sys"], capture_output=True).returncode == 0


def _create_venv() -> bool:
    print(f"Creating the virtualenv {VENV} ...", flush=True)
    return subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)]).returncode == 0


def _pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def _install_if_changed() -> bool:
    wanted = _pyproject_hash()
    if INSTALL_STAMP.exists() and INSTALL_STAMP.read_text().strip() == wanted:
        return True
    print("Installing Flashmall and its dependencies into .venv (only when pyproject.toml changes) ...", flush=True)
    pip = [VENV_PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[test]"]
    if subprocess.run(pip, cwd=ROOT).returncode != 0:
        return False
    INSTALL_STAMP.write_text(wanted + "\n")
    return True


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
