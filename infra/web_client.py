"""Writes web/src/api/schema.d.ts, the web portal's API types, from the API's OpenAPI document.

    python -m infra.web_client          # regenerate (make web-client)
    python -m infra.web_client --check  # exit 1 when the committed file is stale

The document is built from the routes offline (infra.api_reference.document) and handed to
openapi-typescript from web/node_modules (installed from web/package-lock.json), so the types the
pages compile against are exactly the API's; openapi-fetch reads them at compile time only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from infra.api_reference import PROJECT_DIR, document

WEB_DIR = PROJECT_DIR / "web"
TARGET = WEB_DIR / "src" / "api" / "schema.d.ts"
GENERATOR = WEB_DIR / "node_modules" / "openapi-typescript" / "bin" / "cli.js"


def generate(target: Path) -> None:
    """Writes the types for the current routes to ``target``."""
    if not GENERATOR.is_file():
        raise SystemExit(f"{GENERATOR.relative_to(PROJECT_DIR)} is missing: run `npm ci` in web/ (make web-deps)")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "openapi.json"
        # keys sorted: the generated file follows the document's order, which must not depend on
        # the order routes were registered in
        source.write_text(json.dumps(document(), indent=1, sort_keys=True))
        # A field with a default may be left out of an answer (the API sends only the facts an
        # error has, e.g. {"field": "username"}), so it is typed optional, not always present.
        subprocess.run(
            ["node", str(GENERATOR), str(source), "--default-non-nullable=false", "--output", str(target)],
            check=True,
            capture_output=True,
            cwd=WEB_DIR,
        )


def is_current() -> bool:
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "schema.d.ts"
        generate(fresh)
        return TARGET.is_file() and fresh.read_bytes() == TARGET.read_bytes()


def main(argv: list[str]) -> int:
    if "--check" in argv:
        if is_current():
            return 0
        print(f"{TARGET.relative_to(PROJECT_DIR)} is stale: run `make web-client`", file=sys.stderr)
        return 1
    generate(TARGET)
    print(f"wrote {TARGET.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
