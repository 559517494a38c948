"""The dev supervisor behind `python3 -m mall run|test` (runs inside the project's virtualenv).

`run`: embedded Redis (unless REDIS_URL is set) owned by this process, migrate, seed the demo,
then granian (the web server, one access-log line per request) + `worker.py --quiet` (warnings and
failures only) as children, and the demo logins once both are up; Ctrl-C stops the children, then Redis.
`test`: makes sure Debian's Chromium is there, then runs pytest (no tests collected is a failure).
"""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
STOP_GRACE_SECONDS = 15
# Warnings and failures only: the periodic jobs' ~2 "Job OK" lines a second would push the demo logins off screen.
WORKER_COMMAND = [PYTHON, "worker.py", "--quiet"]
PYTEST_NO_TESTS = 5


class Stopping(Exception):
    """Ctrl-C, SIGTERM or SIGHUP reached the supervisor."""


class ChildDied(Exception):
    """A child process ended on its own: everything stops, with this message."""


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "run":
        return run()
    if command == "test":
        return test(args)
    print("usage: python -m mall.dev run | test [pytest args]", file=sys.stderr)
    return 2


# --- test -------------------------------------------------------------------------------------


def test(pytest_args: list[str]) -> int:
    ensure_chromium()
    print(f"Testing on {_describe_stores()}", flush=True)
    proc = subprocess.Popen([PYTHON, "-m", "pytest", *pytest_args], cwd=ROOT)
    code = _wait_through_ctrl_c(proc)
    if code == PYTEST_NO_TESTS:
        print("no tests were collected: that is a failure, not a pass", file=sys.stderr)
        return 1
    return code if code >= 0 else 128 - code


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    print(f"{CHROMIUM} is missing; installing Debian's chromium for the browser tests ...", flush=True)
    if not _apt_install("chromium"):
        print("Could not install Chromium (apt-get install -y chromium); the browser tests will fail.", file=sys.stderr)


def _apt_install(package: str) -> bool:
    if shutil.which("apt-get") is None or (os.geteuid() != 0 and shutil.which("sudo") is None):
        return False
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [*sudo, "apt-get", "install", "-y", "-q", package]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode == 0:
        return True
    # The package lists may be missing or stale on a fresh machine.
    subprocess.run([*sudo, "apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
    return subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode == 0


def _wait_through_ctrl_c(proc: subprocess.Popen) -> int:
    # Ctrl-C reaches pytest too; let it finish its own clean-up and report.
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            continue


def _describe_stores() -> str:
    database = os.environ.get("DATABASE_URL", "")
    if not database:
        db = "SQLite (the embedded default)"
    else:
        db = "PostgreSQL at DATABASE_URL" if database.startswith("postgres") else "the database at DATABASE_URL"
    redis = "the Redis at REDIS_URL" if os.environ.get("REDIS_URL") else "an embedded Redis"
    return f"{db} and {redis}."


# --- run --------------------------------------------------------------------------------------


def run() -> int:
    port_text = os.environ.get("PORT", "5000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        print(f"PORT must be a port number such as 5000, not {port_text!r}.", file=sys.stderr)
        return 2
    port = int(port_text)
    if not _port_is_free(port):
        print(f"Port {port} is already in use (is Flashmall already running?). Stop it, or pick another port: "
              f"PORT={port + 1} python3 -m mall run", file=sys.stderr)
        return 1
    _install_signal_handlers()
    children: list[tuple[str, subprocess.Popen]] = []
    redis_server = None
    env = dict(os.environ)
    code = 0
    try:
        if not env.get("REDIS_URL"):
            redis_server, env["REDIS_URL"] = _start_embedded_redis()
        print(f"Data: {_describe_stores()}", flush=True)
        _step("Migrating the database", ["db", "upgrade"], env, children)
        logins = _seed_demo(env, children)
        children.append(("web server (granian)", _spawn(_granian_command(port), env)))
        children.append(("job worker (worker.py)", _spawn(WORKER_COMMAND, env)))
        _wait_until_serving(port, children)
        _print_banner(port, logins)
        _watch(children)
    except Stopping:
        print("\nStopping Flashmall ...", flush=True)
    except ChildDied as died:
        print(died, file=sys.stderr, flush=True)
        code = 1
    finally:
        _stop_children(children)
        if redis_server is not None:
            _stop_embedded_redis(redis_server)
    if code == 0:
        print("Flashmall stopped.")
    return code


def _install_signal_handlers() -> None:
    def stop(signum, frame):
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, lambda *_: print("Still stopping, please wait ...", flush=True))
        raise Stopping(signal.Signals(signum).name)

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _start_embedded_redis():
    from mall.redis_setup import embedded_redis, redis_url_for

    server = embedded_redis()
    return server, redis_url_for(server)


def _stop_embedded_redis(server) -> None:
    import redis

    pid, scratch_dir = server.pid, server.redis_dir
    with contextlib.suppress(redis.RedisError):
        server.save()
    server.connection_pool.disconnect()
    # A signal, not SHUTDOWN: redis-py would retry the dropped connection for seconds.
    if pid:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, 10):
            os.kill(pid, signal.SIGKILL)
    if scratch_dir:
        shutil.rmtree(scratch_dir, ignore_errors=True)


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _spawn(command: list[str], env: dict, **kwargs) -> subprocess.Popen:
    # Own session: Ctrl-C reaches only this supervisor, which then stops children in order.
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, **kwargs)


def _flask(args: list[str]) -> list[str]:
    return [PYTHON, "-m", "flask", "--app", "mall", *args]


def _step(title: str, flask_args: list[str], env: dict, children: list) -> list[str]:
    """Run one `flask --app mall ...` command, echoing and returning its output lines."""
    print(f"{title} ...", flush=True)
    proc = _spawn(_flask(flask_args), env, stdout=subprocess.PIPE, text=True)
    children.append((f"`flask {' '.join(flask_args)}`", proc))
    lines = []
    for line in proc.stdout:
        print("  " + line.rstrip(), flush=True)
        lines.append(line.rstrip())
    code = proc.wait()
    children.pop()
    if code != 0:
        raise ChildDied(f"`flask --app mall {' '.join(flask_args)}` failed (exit code {code}); stopping Flashmall.")
    return lines


def _seed_demo(env: dict, children: list) -> list[str]:
    if not (ROOT / "mall" / "demo" / "seed.py").exists():
        print("No demo data yet (mall/demo/seed.py is missing): starting with an empty mall.")
        return []
    lines = _step("Loading the demo mall", ["seed-demo"], env, children)
    return [line.strip() for line in lines if "@" in line]


ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s" %(status)d %(dt_ms).0f ms'


def _granian_command(port: int) -> list[str]:
    """The production shape of README.md on one machine: 2 worker processes x 8 threads, WSGI."""
    return [
        PYTHON, "-m", "granian", "--interface", "wsgi", "--factory",
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", "2", "--blocking-threads", "8", "--no-ws",
        "--respawn-failed-workers", "--workers-kill-timeout", "10",
        "--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT,  # one line per request
        "mall:create_app",
    ]


def _wait_until_serving(port: int, children: list, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _check_alive(children)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            connection.close()
    raise ChildDied(f"The web server did not answer on port {port} within a minute; stopping Flashmall.")


def _print_banner(port: int, logins: list[str]) -> None:
    print(f"\nFlashmall is running at http://127.0.0.1:{port}")
    if logins:
        print("Demo logins:")
        for line in logins:
            print(f"  {line}")
    print("Press Ctrl-C to stop.\n", flush=True)


def _check_alive(children: list) -> None:
    for name, proc in children:
        code = proc.poll()
        if code is not None:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
            raise ChildDied(f"The {name} stopped unexpectedly (it {how}); stopping Flashmall.")


def _watch(children: list) -> None:
    while True:
        _check_alive(children)
        time.sleep(0.5)


def _stop_children(children: list) -> None:
    for _, proc in children:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for _, proc in children:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        # Whatever is left of the child's process group (late workers, a stuck child) goes now.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
