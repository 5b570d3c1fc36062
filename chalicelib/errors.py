"""Domain errors. The API maps them to HTTP in one place (chalicelib/api/http.py); nothing here knows HTTP."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.details = details or {}  # JSON-ready facts the client can act on (e.g. the open tickets)


class Invalid(DomainError):
    """Bad input. `fields` maps a dotted field path to a code the web sites translate."""

    code = "invalid"

    @classmethod
    def field(cls, path: str, code: str) -> "Invalid":
        return cls(f"{path}: {code}", fields={path: code})


class FieldProblems(dict):
    """Every bad field of one input, gathered so that all of them are reported at once."""

    def check(self, check, *args, **kwargs):
        """check(*args, **kwargs), or None with its field errors kept when it raises Invalid."""
        try:
            return check(*args, **kwargs)
        except Invalid as exc:
            self.update(exc.fields)
            return None

    def raise_any(self) -> None:
        if self:
            raise Invalid("; ".join(f"{path}: {code}" for path, code in self.items()), fields=dict(self))


class NotFound(DomainError):
    code = "not_found"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    code = "conflict"


class TooLarge(DomainError):
    """The request itself is larger than we accept (HTTP 413)."""

    code = "too_large"


class LimitReached(DomainError):
    code = "limit_reached"


class Unavailable(DomainError):
    """A provider we depend on right now (mail, SMS) failed; nothing was changed, the client may retry."""

    code = "unavailable"


class MfaRequired(Forbidden):
    """The caller's role needs a second factor they have not enrolled (admins and supervisors)."""

    code = "mfa_required"
