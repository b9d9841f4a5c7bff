"""Schemathesis hooks for the kiosk's contract test (loaded through SCHEMATHESIS_HOOKS).

Schemathesis has no serializer for application/pdf; documents are raw bytes on the wire, so
generated values are sent as they are (bytes) or UTF-8 encoded (text).
"""
import schemathesis


@schemathesis.serializer("application/pdf")
def pdf(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
