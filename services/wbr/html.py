"""``/wbr``: the deck as an HTML page for the people in the review, readable without
JavaScript and printable: per team and metric, the 6-12 chart (inline SVG), the summary
(last week, WoW, YoY, MTD, QTD, YTD), the 6-week and 12-month tables, notes and goals.
Signing in: ``services/wbr/sign_in.py``."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template

from projections.wbr.deck import MetricView, Section
from projections.wbr.six_twelve import ChangeUnit, Period
from services.api.guards import reading_views
from services.api.parameters import IncludeSubteams
from services.auth import ISSUER, jwt_secret
from services.wbr.reading import NO_ROLE, DeckTeamId, DeckWeekEnding, deck_of
from services.wbr.sign_in import (
    COOKIE,
    LINK_ISSUER,
    cookie_principal,
    read_token,
    session_cookie,
)

if TYPE_CHECKING:
    from services.runtime import Runtime

HTML_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": HTML_POLICY,
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def cell(value: Decimal | None, field: str | None = None, suffix: str = "") -> dict[str, str]:
    if value is None:
        return {"field": field or "", "raw": "", "text": "n/a"}
    text = f"{value:,.2f}".rstrip("0").rstrip(".") + suffix
    return {"field": field or "", "raw": repr(float(value)), "text": text}


def change_cell(value: Decimal | None, field: str, unit: ChangeUnit) -> dict[str, str]:
    return cell(value, field, " bps" if unit is ChangeUnit.BASIS_POINTS else "%")


def period_rows(periods: list[Period], label: Any, prefix: str, unit: ChangeUnit) -> list[Any]:
    return [
        [
            {"field": "", "raw": "", "text": label(period)},
            cell(period.value, f"{prefix}.{index}.value"),
            cell(period.prior_year_value, f"{prefix}.{index}.priorYearValue"),
            change_cell(period.change, f"{prefix}.{index}.change", unit),
            change_cell(period.year_over_year, f"{prefix}.{index}.yearOverYear", unit),
            cell(period.target, f"{prefix}.{index}.target"),
        ]
        for index, period in enumerate(periods)
    ]


def metric_page(view: MetricView) -> dict[str, Any]:
    from services.wbr.chart import (
        chart_svg,
    )  # matplotlib (about 50 MB) loads with the first picture, not at start

    computed, metric = view.view, view.metric
    unit = computed.change_unit
    month = lambda period: period.start.strftime("%b %Y") + (" (to date)" if period.to_date else "")  # noqa: E731
    return {
        "id": metric["id"],
        "name": metric["name"],
        "kind": metric["kind"],
        "financial": metric["financial"],
        "unit": metric["unit"],
        "aggregation": metric["aggregation"],
        "svg": chart_svg(view, metric["name"]).decode().split("?>", 1)[-1],
        "summary": [
            cell(computed.last_week, "lastWeek"),
            change_cell(computed.week_over_week, "weekOverWeek", unit),
            change_cell(computed.year_over_year, "yearOverYear", unit),
            cell(computed.month_to_date.value, "monthToDate.value"),
            change_cell(computed.month_to_date.year_over_year, "monthToDate.yearOverYear", unit),
            cell(computed.quarter_to_date.value, "quarterToDate.value"),
            change_cell(
                computed.quarter_to_date.year_over_year, "quarterToDate.yearOverYear", unit
            ),
            cell(computed.year_to_date.value, "yearToDate.value"),
            change_cell(computed.year_to_date.year_over_year, "yearToDate.yearOverYear", unit),
        ],
        "weeks": period_rows(computed.weeks, lambda p: p.end.isoformat(), "weeks", unit),
        "months": period_rows(computed.months, month, "months", unit),
        "notes": [{"day": note["day"].isoformat(), "text": note["text"]} for note in view.notes],
        "goals": [
            {
                "description": goal["description"],
                "target": goal["target"],
                "due_date": goal["due_date"].isoformat(),
                "status": goal["status"],
            }
            for goal in view.current_goals
        ],
    }


def page_context(sections: list[Section]) -> list[dict[str, Any]]:
    return [
        {
            "team_id": section.team_id,
            "team_name": section.team_name,
            "metrics": [metric_page(view) for view in section.metrics],
        }
        for section in sections
    ]


def safe_next(target: str | None) -> str:
    """Only a path on this server's deck (no open redirect)."""
    if not target:
        return "/wbr"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/wbr") or "\\" in target:
        return "/wbr"
    return target


def sign_in_page(problem: str | None, next_path: str, status: int) -> Template:
    return Template(
        template_name="wbr_sign_in.html",
        context={"problem": problem, "next": next_path},
        status_code=status,
        headers=HEADERS,
    )


class WbrDeckController(Controller):
    """Pages for people with a browser, not part of the API's contract: left out of the
    OpenAPI document (docs/WBR.md and docs/SECURITY.md describe them)."""

    path = "/wbr"
    tags = ["Weekly business review"]
    opt = {"exclude_from_auth": True}  # the deck signs in by its own cookie
    include_in_schema = False

    @get(
        "/",
        summary="The weekly business review as an HTML deck",
        description="Per team and metric: the 6-12 chart, the summary, the 6-week and "
        "12-month tables, notes and goals; readable without JavaScript, printable. Signed in "
        "by the `flywheel_wbr` session cookie (see `/wbr/sign-in`); without it, the sign-in "
        "page (401).",
        media_type="text/html",
    )
    async def deck(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        week_ending: DeckWeekEnding,
        team_id: DeckTeamId = None,
        include_subteams: IncludeSubteams = True,
    ) -> Template:
        principal = cookie_principal(jwt_secret(runtime.settings), request.cookies.get(COOKIE))
        if principal is None:
            return sign_in_page(
                None, safe_next(str(request.url.path) + "?" + request.url.query), 401
            )
        async with reading_views(runtime, principal, NO_ROLE) as db:
            sections = await deck_of(db, runtime, week_ending, team_id, include_subteams)
        context = await asyncio.to_thread(page_context, sections)
        return Template(
            template_name="wbr_deck.html",
            context={
                "week_ending": week_ending.isoformat(),
                "team_name": sections[0].team_name if team_id and sections else None,
                "fiscal_year_end_month": runtime.settings.fiscal_year_end_month,
                "sections": context,
            },
            headers=HEADERS,
        )

    @get(
        "/sign-in",
        summary="Sign in to the HTML deck",
        description="With `token` (the link `flywheel token --link` prints, valid 10 minutes): "
        "sets the session cookie and redirects to the deck. Without: a form that takes a "
        "bearer token.",
        media_type="text/html",
    )
    async def sign_in_form(
        self,
        runtime: NamedDependency[Runtime],
        token: Annotated[
            str | None, QueryParameter(name="token", description="A sign-in link's token.")
        ] = None,
        next_path: Annotated[
            str | None, QueryParameter(name="next", description="Where to go after (a /wbr path).")
        ] = None,
    ) -> Template | Redirect:
        if token is None:
            return sign_in_page(None, safe_next(next_path), 200)
        secret = jwt_secret(runtime.settings)
        try:
            principal, expires = read_token(secret, token, LINK_ISSUER)
        except NotAuthorizedException as refused:
            return sign_in_page(str(refused.detail), safe_next(next_path), 401)
        return self._signed_in(runtime, principal, expires, next_path)

    @post(
        "/sign-in",
        summary="Sign in to the HTML deck with a bearer token",
        description="A form post (`token`, `next`): sets the session cookie (HttpOnly, "
        "SameSite=Strict, Path=/wbr) and redirects to the deck.",
        media_type="text/html",
        status_code=303,
    )
    async def sign_in(
        self,
        runtime: NamedDependency[Runtime],
        data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Redirect:
        secret = jwt_secret(runtime.settings)
        next_path = data.get("next")
        try:
            principal, expires = read_token(secret, data.get("token", ""), ISSUER)
        except NotAuthorizedException as refused:
            return sign_in_page(str(refused.detail), safe_next(next_path), 401)
        return self._signed_in(runtime, principal, expires, next_path)

    def _signed_in(
        self, runtime: Runtime, principal: Any, expires: Any, next_path: str | None
    ) -> Redirect:
        cookie = session_cookie(
            jwt_secret(runtime.settings),
            principal,
            expires,
            secure=runtime.settings.is_production,
        )
        return Redirect(safe_next(next_path), status_code=303, cookies=[cookie], headers=HEADERS)
