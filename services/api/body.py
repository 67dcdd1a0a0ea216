"""Command bodies whose JSON holds an unpaired surrogate are refused naming the field.

msgspec refuses ``"\\ud800"`` (an escape that is not half of a pair) as malformed
JSON and says only at which byte. Such a string is not text, and the domain's
text rule refuses it wherever it appears; this request class finds the field by
reading the body again with the standard library's decoder, which accepts the
escape, and refuses it with the same words as any other refused character.
"""

from __future__ import annotations

import json
from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException

from domain.errors import InvalidValue
from domain.values import clean_text


class CommandRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            return await super().json()
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
