"""The HTTP edge: route registration with access rules, the request envelope (correlation id,
security headers, one error shape) and request parsing helpers. Capabilities' routes.py use this
package; nothing else in chalicelib imports chalice's request objects."""
