"""Writes docs/api-reference.md, the route index generated from the API's OpenAPI document.

    python -m infra.api_reference          # rewrite docs/api-reference.md (make api-reference)
    python -m infra.api_reference --check  # exit 1 when the committed file is stale

The per-route field tables live in the document itself (GET /v1/openapi.json, rendered at
/v1/docs); this page lists every route with who may call it, what it does and every status it
answers, so that a reader of the repository sees the whole API on one page and it cannot drift.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
TARGET = PROJECT_DIR / "docs" / "api-reference.md"


def document() -> dict:
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    sys.path.insert(0, str(PROJECT_DIR))
    import app as app_module
    from chalicelib.http.openapi import build_document

    return build_document(app_module.app, version="reference")


def render(doc: dict) -> str:
    lines = [
        "# API reference: every route",
        "",
        "Generated from the OpenAPI document by `make api-reference`; do not edit by hand (a test fails",
        "when this page and the routes disagree). Request and response fields, formats and limits are in",
        "the document itself: GET /v1/openapi.json, rendered at /v1/docs on any running stack",
        "(http://127.0.0.1:8000/v1/docs after `make run`). docs/api.md explains the rules a schema",
        "cannot say: access, audit, idempotency and what each status means.",
        "",
        "Who: *anyone* needs no session; the others need `Authorization: Bearer <token>` of an account",
        "with that role.",
        "",
    ]
    by_tag: dict[str, list[tuple[str, str, dict]]] = {}
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            by_tag.setdefault(operation["tags"][0], []).append((path, method.upper(), operation))
    descriptions = {tag["name"]: tag["description"] for tag in doc.get("tags", [])}
    for tag in sorted(by_tag):
        lines += [f"## {tag}", "", descriptions.get(tag, ""), ""]
        lines += ["| Route | Who | What | Answers |", "|---|---|---|---|"]
        for path, method, operation in sorted(by_tag[tag], key=lambda item: (item[0], item[1])):
            who = _who(operation)
            statuses = ", ".join(sorted(operation["responses"]))
            body = ""
            if "requestBody" in operation:
                body = (
                    " Body: `"
                    + next(iter(operation["requestBody"]["content"].values()))["schema"]["$ref"].rsplit("/", 1)[1]
                    + "`."
                )
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if query:
                body += " Query: " + ", ".join(f"`{name}`" for name in query) + "."
            summary = operation["summary"].replace("|", "\\|")
            lines.append(f"| `{method} {path}` | {who} | {summary}{body} | {statuses} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _who(operation: dict) -> str:
    if not operation.get("security"):
        return "anyone"
    description = operation.get("description", "")
    return (
        description.rsplit("Who may call it: ", 1)[-1].rstrip(".")
        if "Who may call it: " in description
        else "signed in"
    )


def main(argv: list[str]) -> int:
    text = render(document())
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print(f"{TARGET.relative_to(PROJECT_DIR)} is stale: run `make api-reference`")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
