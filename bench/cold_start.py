"""Cold start, import: importing app.py in a fresh interpreter, against the floor of what that
import loads: the very same third-party and standard-library modules (listed by a first untimed
import of app.py) imported in the same order, without the portal's own code. Every deployed
function's handler lives in app.py (the API, the SQS consumers, the schedule), so this import
is each function's.

Measured with bytecode present (a package that ships .pyc files) and absent (every module
compiled from source on each cold start), sides in turns, medians of CPU and wall time."""

from __future__ import annotations

import subprocess
import sys

from bench import fresh
from bench.table import Row

ROUNDS = 1 if fresh.QUICK else 9

# Modules loaded by the interpreter's own start-up are not app.py's to pay for.
LIST_MODULES = """
import sys
before = set(sys.modules)
import app
own = ("app", "chalicelib", "bench")
print("\\n".join(n for n in sys.modules if n not in before and not n.startswith(own)))
"""

APP = "import app\n"


def floor_code(modules: list[str]) -> str:
    return (
        "import importlib as _il\n"
        f"for _name in {modules!r}:\n"
        "    try:\n"
        "        _il.import_module(_name)\n"
        "    except Exception:\n"  # a name only an alias in sys.modules (six.moves ...)
        "        pass\n"
    )


def app_modules() -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", LIST_MODULES],
        cwd=fresh.PROJECT_DIR,
        env=fresh.environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def rows() -> list[Row]:
    modules = app_modules()
    floor = floor_code(modules)
    env = fresh.environment()
    fresh.run(APP, env)  # bytecode written for the portal's own modules, once
    out: list[Row] = []
    for bytecode in (True,) if fresh.QUICK else (True, False):
        medians = fresh.turns(
            {
                "app": lambda: fresh.run(APP, env, bytecode),
                "floor": lambda: fresh.run(floor, env, bytecode),
            },
            ROUNDS,
        )
        app, base = medians["app"], medians["floor"]
        label = "bytecode present" if bytecode else "no bytecode"
        print(
            f"import app.py, {label}: {app['cpu']:.0f} ms CPU / {app['wall']:.0f} ms wall; "
            f"floor {base['cpu']:.0f} / {base['wall']:.0f} (medians of {ROUNDS}, in turns)"
        )
        note = (
            ""
            if out
            else (
                f"fresh interpreter, {ROUNDS} turns each, medians; floor: the same {len(modules)} modules app.py's "
                "import loads, imported without the portal's code; every function's handler is in app.py"
            )
        )
        out.append(Row(f"import app.py, {label}, CPU", app["cpu"], "ms CPU", "<= 1.25x floor", base["cpu"], note))
        out.append(Row(f"import app.py, {label}, wall", app["wall"], "ms wall", "<= 1.25x floor", base["wall"]))
    return out


def main() -> None:
    from bench.table import render

    print(render(rows()))


if __name__ == "__main__":
    main()
