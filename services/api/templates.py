"""The HTML pages' templates: Litestar's Jinja engine over each area's ``templates/``
directory (the weekly business review's deck and sign-in page), autoescaped."""

from __future__ import annotations

from pathlib import Path

from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

SERVICES = Path(__file__).resolve().parent.parent
TEMPLATES = TemplateConfig(
    directory=[SERVICES / "wbr" / "templates"],
    engine=JinjaTemplateEngine,
)
