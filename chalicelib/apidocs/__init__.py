"""The API's own documentation: GET /v1/openapi.json (generated, see http/openapi.py) and its
human-readable rendering at /v1/docs (Swagger UI, a pinned npm package that `make api-docs` copies
into static/)."""
