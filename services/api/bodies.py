"""How a REST command's body is read: JSON only, never nested without end, and
never a string that is not text.

Every command body reaches its handler through ``Request.json``; the one
subclass here refuses another media type with 415 before decoding, a body
nested deeper than the decoder recurses (some thousand levels) with 400 instead
of the ``RecursionError`` the decoder raises, and a string holding an unpaired
surrogate with 400 naming its field. (msgspec refuses ``"\\ud800"``, an escape
that is not half of a pair, as malformed JSON and says only at which byte; the
body is read again with the standard library's decoder, which accepts the
escape, to find the field and refuse it with the words of the domain's text rule.)
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, HTTPException, SerializationException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

from domain.errors import InvalidValue
from domain.values import clean_text


class CommandBody(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """What every command body is: camelCase JSON, with no field the command does not
    know (a misspelt optional field must not pass unnoticed). Every body subclasses it.

    ``schema_rules`` states in JSON Schema a rule between fields that the body checks
    (``oneOf``, ``anyOf``, ``if``/``then``); the OpenAPI document adds it to the body's
    schema (services/api/openapi.py), where a string schema marked with
    ``services.api.text.KIND`` gets that kind's pattern."""

    schema_rules: ClassVar[dict[str, Any]] = {}


def given(field: str, value: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON Schema of a body in which ``field`` is given and not null (and, with
    ``value``, matches it): a branch of a body's ``schema_rules``."""
    return {"required": [field], "properties": {field: value or {"not": {"type": "null"}}}}


JSON_MEDIA_TYPE = re.compile(r"application/([\w.!#$&^-]+\+)?json")


class CommandRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        media_type = self.content_type[0].lower()
        if not JSON_MEDIA_TYPE.fullmatch(media_type) and (media_type or await self.body()):
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail=f"A command body must be JSON (`Content-Type: application/json`), "
                f"not {media_type or 'untyped'}",
            )
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("The JSON body is nested too deeply") from None
        except SerializationException as error:
            if "surrogate" not in str(error):
                raise
            refusal = unpaired_surrogate(await self.body())
            if refusal is None:
                raise
            raise refusal from error


def unpaired_surrogate(body: bytes) -> InvalidValue | None:
    """The refusal of the first string in ``body`` (a key or a value) that holds an
    unpaired surrogate, named by its path (``argument``, ``headcount.ENGINEERING``,
    ``goalIds[2]``); None when there is none or the body is not JSON at all."""
    try:
        return _first_refusal(json.loads(body), "")
    except (ValueError, RecursionError):
        return None


def _first_refusal(value: Any, path: str) -> InvalidValue | None:
    if isinstance(value, str):
        try:
            clean_text(path or "body", value, multiline=True)
        except InvalidValue as refusal:
            return refusal
        return None
    if isinstance(value, list):
        items = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    elif isinstance(value, dict):
        # A key is checked as text where its object is; its value under its own path.
        items = [(path, key) for key in value]
        items += [(f"{path}.{key}" if path else key, item) for key, item in value.items()]
    else:
        return None
    for field, item in items:
        found = _first_refusal(item, field)
        if found is not None:
            return found
    return None
