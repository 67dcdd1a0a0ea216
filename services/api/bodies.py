"""How a REST command's body is read: JSON only, and never nested without end.

Every command body reaches its handler through ``Request.json``; the one
subclass here refuses another media type with 415 before decoding, and a body
nested deeper than the decoder recurses (some thousand levels) with 400
instead of the ``RecursionError`` the decoder raises.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import ClientException, HTTPException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

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
