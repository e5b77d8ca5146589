"""The authorization server of health apps (SMART App Launch 2, standalone patient launch).

Authlib does the OAuth: its ``AuthorizationServer`` runs on the portal's requests (``server``),
with the authorization code grant (PKCE S256 required of every client), refresh tokens that rotate
on every use, introspection (RFC 7662), revocation (RFC 7009) and an OpenID Connect id_token
signed by a KMS key (``id_token``). The portal supplies what Authlib leaves to its host: clients
(``clients``: registered by admins), codes and tokens (opaque, stored as SHA-256 hashes in the
identity table, owned by the authorization they came from so a revoke ends them at once), and the
patient's consent (``consent``: the pages' API). ``bearer`` checks an app's token on every FHIR
call. Nothing here reads PHI: an app reads the record through ``apps.fhir_api``.
"""
