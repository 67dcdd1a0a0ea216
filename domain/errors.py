"""Why a command is refused. A refused command records nothing.

Three kinds, each mapped to one HTTP status by the service layer:
:class:`InvalidValue` (400), :class:`NotFound` (404) and :class:`RuleViolation`
(409). Every rule is its own subclass of :class:`RuleViolation` with a stable
``rule`` code and a docstring that explains the practice behind it; the API
publishes that catalogue, so a client can look up any code it receives.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A command the domain refuses."""

    def __init__(self, detail: str, **context: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class InvalidValue(DomainError):
    """A value that is malformed or out of range."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, field=field)
        self.field = field


class NotFound(DomainError):
    """An id that names nothing of the expected kind."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"No {kind} with id {key}", kind=kind, key=str(key))
        self.kind = kind
        self.key = key


class RuleViolation(DomainError):
    """A command that would break one of the rules in DOMAIN.md."""

    rule: ClassVar[str]
    _catalogue: ClassVar[dict[str, type[RuleViolation]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "rule" in cls.__dict__:
            if cls.rule in RuleViolation._catalogue:
                raise TypeError(f"Rule code {cls.rule!r} is defined twice")
            RuleViolation._catalogue[cls.rule] = cls

    @classmethod
    def catalogue(cls) -> dict[str, type[RuleViolation]]:
        """Every rule code, with the class whose docstring explains it."""
        return dict(sorted(RuleViolation._catalogue.items()))
