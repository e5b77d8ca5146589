"""Organizations and the accounts of the people who use the portal (staff, admins; patients and
proxies later). Boundary: creating accounts with argon2id password hashes and unique user names.
Sign-in, sessions and second factors build on this."""
