"""The settings that change money, per council and per version (issue 19 §1, §3): weeks a year, framework term,
annual uplift and the rate card as Finance edits it.

One dict per council in session state (``money-<council>``): Finance, Report and every export read the same
figures; a scenario version saves them (the store's ``settings`` beside the version's rate card) and opening a
version or a published link restores them; the autosaved draft carries them, so a reload keeps them. Widgets
that show them are keyed per council and version (``widget_tag``), so a council switch or another version never
shows the previous one's figures. No arithmetic here: prices come from ``zones.rates``/``zones.plan``.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import streamlit as st

from geodata.datadir import DataError
from geodata.limits import TERM_YEARS, UPLIFT_PCT, WEEKS_PER_YEAR, bounded_decimal, int_in, weeks_per_year
from pages.plan_identity import identity
from zones.money import weeks_json
from zones.rates import RateCard

log = logging.getLogger("zoneplan.app")
DEFAULTS = {"weeks": 52, "term": 8, "uplift": 0.0}
#: the sidebar inputs: key, label, min, max, step, format (the bounds of geodata.limits, which the store checks
#: too); weeks take 2 decimal places (52.14 = 365/7)
INPUTS = (
    ("weeks", "Weeks per year", float(WEEKS_PER_YEAR[0]), float(WEEKS_PER_YEAR[1]), 0.01, "%.2f"),
    ("term", "Framework term (years)", TERM_YEARS[0], TERM_YEARS[1], 1, None),
    ("uplift", "Annual rate uplift %", float(UPLIFT_PCT[0]), float(UPLIFT_PCT[1]), 0.5, None),
)


def _key(council: str) -> str:
    return f"money-{council}"


def get(council: str) -> dict:
    """{weeks, term, uplift, card (a RateCard as a dict, or None: the plan's own), gen} of ``council``."""
    return st.session_state.setdefault(_key(council), {**DEFAULTS, "card": None, "gen": 0})


def widget_tag(council: str) -> str:
    """Part of every money widget's key: the council, the version shown and how often settings were restored."""
    ident = identity(council) or {}
    return f"{council}-{ident.get('scenario_id') or 'plan'}-{ident.get('version') or 0}-{get(council)['gen']}"


def card(council: str, plan) -> RateCard:
    """The card that prices ``plan``: its own card (providers, zone ranges) with Finance's prices, if edited."""
    c = get(council)["card"]
    return plan.rates.priced_like(RateCard.from_dict(c)) if c else plan.rates


def priced(council: str, plan):
    """``plan`` priced with the council's card as Finance shows it."""
    return plan.with_rates(card(council, plan)) if get(council)["card"] else plan


def set_card(council: str, rates: RateCard) -> None:
    get(council)["card"] = rates.to_dict()


def settings(council: str) -> tuple[int | Decimal, int, float]:
    """(weeks a year: an int when whole, else an exact Decimal such as 52.14; term in years; uplift %)."""
    s = get(council)
    return weeks_per_year(s["weeks"]), int(s["term"]), float(s["uplift"])


def impact_settings(council: str, show: bool = True, fixed: bool = False) -> tuple[int | Decimal, int, float]:
    """Weeks per year, framework term (years) and annual uplift % of ``council``; ``show`` puts the inputs in the
    sidebar (the same keys on every page; reseeded from the council's settings on every run), ``fixed`` shows
    them disabled (a published version's own)."""
    ss, s = st.session_state, get(council)
    if show:
        with st.sidebar:
            st.subheader("Impact settings")
            for key, label, lo, hi, step, fmt in INPUTS:
                ss[key] = type(lo)(s[key])  # a widget of another page or council does not hand its value over
                st.number_input(
                    label, lo, hi, step=step, key=key, on_change=_keep, args=(council, key), disabled=fixed, format=fmt
                )
    return settings(council)


def _keep(council: str, key: str) -> None:
    v = st.session_state[key]
    if key == "weeks":  # a float from the widget: kept to its 2 places (52.14, never 52.1400000001)
        try:
            v = weeks_json(weeks_per_year(round(float(v), 2)))
        except DataError:
            return
    get(council)[key] = v


def to_store(council: str) -> dict:
    """The settings a version saves beside its rate card: {weeks_per_year, term_years, uplift_pct}."""
    w, t, u = settings(council)
    return {"weeks_per_year": weeks_json(w), "term_years": t, "uplift_pct": str(u)}


def restore_version(council: str, sv) -> None:
    """Show a stored version's settings and card (``sv``: a ScenarioVersion): its saved settings, or the defaults
    for versions saved before settings were stored."""
    st_ = getattr(sv, "settings", None) or {}
    s = get(council)
    try:
        s.update(
            weeks=weeks_json(weeks_per_year(st_.get("weeks_per_year", DEFAULTS["weeks"]))),
            term=int_in(st_.get("term_years", DEFAULTS["term"]), "framework term (years)", *TERM_YEARS),
            uplift=float(
                bounded_decimal(
                    st_.get("uplift_pct", DEFAULTS["uplift"]), "annual uplift (%)", UPLIFT_PCT[0], UPLIFT_PCT[1], 4
                )
            ),
        )
    except DataError:
        log.warning("version settings of %s could not be read; defaults shown", council)
        s.update(DEFAULTS)
    s["card"] = dict(sv.rate_model) if sv.rate_model else None
    s["gen"] += 1


def is_default(council: str, plan) -> bool:
    """Nothing to keep: the default weeks, term and uplift, and the plan's own card."""
    s = get(council)
    return all(s[k] == v for k, v in DEFAULTS.items()) and (not s["card"] or card(council, plan) == plan.rates)


def to_draft(council: str) -> dict:
    s = get(council)
    return {"weeks": s["weeks"], "term": s["term"], "uplift": s["uplift"], "card": s["card"]}


def from_draft(council: str, d: dict | None) -> None:
    """Settings kept in a draft (a reload): checked like stored ones; anything unreadable is skipped."""
    if not isinstance(d, dict):
        return
    try:
        stored = {"weeks_per_year": d.get("weeks"), "term_years": d.get("term"), "uplift_pct": d.get("uplift")}
        card_ = d.get("card")
        if card_ is not None:
            RateCard.from_dict(card_)  # refuses what is not a card
        restore_version(council, type("Draft", (), {"settings": stored, "rate_model": card_})())
    except (DataError, ArithmeticError, KeyError, TypeError, ValueError):
        log.warning("draft settings of %s could not be restored", council)
