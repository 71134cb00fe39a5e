"""Who a change affects: equality and continuity evidence for a set of changed units (pure: numpy/pandas only).

For any change (a moves file, a suggestion, two versions compared) the changed units are split by what changed:
``band_only`` (band changed, zone kept: the provider stays), ``zone_changed`` (the unit's new zone does not
continue its old one, with or without a band change: the provider may change; a newly named zone continues the old
zone it takes most hours from, ``zone_successors``) and ``renamed_only`` (same zone under a new name, same band:
not counted as affected). For each group, and for all changed units together:

- ``population_by_age``: residents 65-74, 75-84, 85+ (ONS mid-2020, shared onto units exactly like the estimated
  care hours: LSOA 2011 → units by postcode centroids; see ``geodata.equality``); whole persons, rounded;
- ``imd2025_decile_share_pct``: % of those residents aged 65+ by IMD 2025 decile of the LSOA 2021 they live in
  ("1" = most deprived 10 % of England); ``most_deprived_30pct_pct`` the deciles 1-3 together (65+ and 85+);
- ``idaopi2019_decile_share_pct``: the same by IDAOPI 2019 decile (LSOA 2011; income deprivation of people 60+);
- ``disability_pct``: % of all residents (all ages) disabled under the Equality Act, Census 2021, of the LSOA 2021
  parts in the units; ``disability_pct_council`` the council's own share (its LSOA 2021s);
- ``continuity``: care hours a week in units whose zone changes (plan hours: estimated unless the council loaded its
  own), people supported estimated as hours ÷ typical hours per person (``geodata.equality.hours_per_client``), and
  the same per zone pair (from → to). A band-only change moves no one to another provider.

Every figure is an estimate; the block carries its sources, vintages and the estimation rules.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

AGE_KEYS = ("age_65_74", "age_75_84", "age_85_plus")
DECILES = tuple(range(1, 11))
MOST_DEPRIVED = (1, 2, 3)  # deciles: the most deprived 30 % of England's LSOAs


@dataclass(frozen=True)
class UnitProfiles:
    """Equality figures per unit (row i = ``unit_codes[i]``), all estimates (fractional persons).

    age (n, 3): mid-2020 residents by band; imd / idaopi (n, 3, 11): the same residents by decile (column 0 = no
    decile known); residents / disabled (n,): Census 2021 usual residents and those disabled (Equality Act)."""

    unit_codes: tuple
    age: np.ndarray
    imd: np.ndarray
    idaopi: np.ndarray
    residents: np.ndarray
    disabled: np.ndarray
    council_disabled: float
    council_residents: float
    hours_per_client: float
    hours_per_client_rule: str
    hours_per_client_assumed: bool
    sources: tuple = ()
    vintage: tuple = ()

    def positions(self, codes) -> np.ndarray:
        pos = {c: i for i, c in enumerate(self.unit_codes)}
        return np.array([pos[c] for c in codes if c in pos], dtype=int)


def _by_decile(pieces: pd.DataFrame, ui: np.ndarray, dec: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((n, 3, 11))
    d = np.clip(dec.astype(int), 0, 10)
    for b, col in enumerate(AGE_KEYS):
        np.add.at(out[:, b, :], (ui, d), pieces[col].to_numpy(float))
    return out


def build_profiles(
    unit_codes,
    pieces: pd.DataFrame,
    lsoa21: pd.DataFrame,
    lsoa11: pd.DataFrame,
    *,
    council_disabled: float,
    council_residents: float,
    hours_per_client: float,
    hours_per_client_rule: str = "",
    hours_per_client_assumed: bool = False,
    sources=(),
    vintage=(),
) -> UnitProfiles:
    """Per-unit figures from pieces (``unit_code, LSOA11CD, LSOA21CD, all_ages`` + bands, mid-2020 persons),
    ``lsoa21`` (index LSOA21CD: imd_decile, residents, disabled, all_ages_2020) and ``lsoa11`` (index LSOA11CD:
    idaopi_decile). A unit's share of an LSOA 2021's Census residents = its mid-2020 residents there ÷ the LSOA's."""
    codes = tuple(str(c) for c in unit_codes)
    pos = {c: i for i, c in enumerate(codes)}
    p = pieces[pieces["unit_code"].astype(str).isin(pos)]
    ui = p["unit_code"].astype(str).map(pos).to_numpy(int)
    n = len(codes)
    age = np.zeros((n, 3))
    for b, col in enumerate(AGE_KEYS):
        age[:, b] = np.bincount(ui, weights=p[col].to_numpy(float), minlength=n)
    l21 = lsoa21.reindex(p["LSOA21CD"])
    imd = _by_decile(p, ui, l21["imd_decile"].fillna(0).to_numpy(), n)
    ida = _by_decile(p, ui, lsoa11.reindex(p["LSOA11CD"])["idaopi_decile"].fillna(0).to_numpy(), n)
    tot = l21["all_ages_2020"].to_numpy(float)
    frac = np.divide(p["all_ages"].to_numpy(float), tot, out=np.zeros(len(p)), where=tot > 0)
    residents = np.bincount(ui, weights=frac * l21["residents"].fillna(0).to_numpy(float), minlength=n)
    disabled = np.bincount(ui, weights=frac * l21["disabled"].fillna(0).to_numpy(float), minlength=n)
    return UnitProfiles(
        codes,
        age,
        imd,
        ida,
        residents,
        disabled,
        float(council_disabled),
        float(council_residents),
        float(hours_per_client),
        hours_per_client_rule,
        bool(hours_per_client_assumed),
        tuple(sources),
        tuple(vintage),
    )


# ---------------------------------------------------------------- changes


def changes_between(base, new) -> list[dict]:
    """Changed units between two plans (``zones.plan.Plan``, same units): unit_code, unit, from/to zone and band,
    hours_per_week (the new plan's hours)."""
    bz = np.asarray(base.zone_names, dtype=object)[base.zone_idx]
    nz = np.asarray(new.zone_names, dtype=object)[new.zone_idx]
    bb = np.asarray(base.band_names, dtype=object)[base.band_idx]
    nb = np.asarray(new.band_names, dtype=object)[new.band_idx]
    out = []
    for i in np.flatnonzero((bz != nz) | (bb != nb)).tolist():
        out.append(
            {
                "unit_code": str(new.unit_codes[i]),
                "unit": str(new.unit_names[i]),
                "from_zone": str(bz[i]),
                "to_zone": str(nz[i]),
                "from_band": str(bb[i]),
                "to_band": str(nb[i]),
                "hours_per_week": int(new.hours_cents[i]) / 100,
            }
        )
    return out


def changes_of_moves(moves, plan) -> list[dict]:
    """Changed units of a moves file (``zones.moves.MoveRow``): band only, zone kept (the plan's). A row's hours
    (the council's) are shared between its units in proportion to the plan's hours (equal if those are 0)."""
    out = []
    for m in moves:
        idx = plan.index(list(m.unit_codes))
        h = plan.hours_cents[idx].astype(float)
        w = h / h.sum() if h.sum() > 0 else np.full(len(idx), 1 / max(len(idx), 1))
        for k, c in zip(w, m.unit_codes):
            z = plan.zone_of(c)
            out.append(
                {
                    "unit_code": c,
                    "unit": m.unit,
                    "from_zone": z,
                    "to_zone": z,
                    "from_band": m.from_band,
                    "to_band": m.to_band,
                    "hours_per_week": float(m.hours_per_week) * float(k),
                }
            )
    return out


def zones_of(plan) -> list[str]:
    """The zones of a plan that hold units."""
    return [z for i, z in enumerate(plan.zone_names) if plan.units_by_zone[i]]


def zone_successors(changes: list[dict], base_zones=None) -> dict[str, str]:
    """Which base zone each zone of the new plan continues (its provider can stay): a zone name found in the base
    plan continues itself; a new name continues the base zone it takes the most changed hours from, one to one,
    largest first (ties by name). A new zone with no base zone left continues none. ``base_zones`` default: the
    changes' from-zones."""
    base = set(base_zones) if base_zones is not None else {c["from_zone"] for c in changes}
    succ = {c["to_zone"]: c["to_zone"] for c in changes if c["to_zone"] in base}
    shared: dict[tuple[str, str], float] = {}
    for c in changes:
        if c["to_zone"] not in succ:
            k = (c["to_zone"], c["from_zone"])
            shared[k] = shared.get(k, 0.0) + float(c["hours_per_week"]) + 1e-9
    taken = set(succ.values())
    for (new, old), _h in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0])):
        if new not in succ and old not in taken:
            succ[new] = old
            taken.add(old)
    return succ


def kind_of(change: dict, succ: dict | None = None) -> str:
    """``zone_changed`` when the unit's new zone does not continue its old one (the provider may change; see
    ``zone_successors``), else ``band_only`` when the band changed, else ``renamed_only`` (the same zone under a
    new name, same band)."""
    cont = (succ or {}).get(change["to_zone"], change["to_zone"])
    if cont != change["from_zone"]:
        return "zone_changed"
    return "band_only" if change["from_band"] != change["to_band"] else "renamed_only"


# ---------------------------------------------------------------- figures


def _pct(part: float, whole: float, nd: int = 1):
    return round(100.0 * part / whole, nd) if whole > 0 else None


def _decile_shares(counts: np.ndarray) -> dict:
    """{"1".."10": % of residents} from counts over columns 0..10 (column 0, no decile, is left out of the base)."""
    known = counts[1:].sum()
    return {str(d): _pct(counts[d], known) for d in DECILES}


def group_figures(p: UnitProfiles, idx: np.ndarray, hours: float) -> dict:
    """The figures of one group of units (positions ``idx`` in ``p``); see the module docstring."""
    age = p.age[idx].sum(axis=0) if len(idx) else np.zeros(3)
    imd = p.imd[idx].sum(axis=0) if len(idx) else np.zeros((3, 11))
    ida = p.idaopi[idx].sum(axis=0) if len(idx) else np.zeros((3, 11))
    imd65, ida65 = imd.sum(axis=0), ida.sum(axis=0)
    dep = list(MOST_DEPRIVED)
    return {
        "n_units": int(len(idx)),
        "hours_per_week": round(float(hours), 2),
        "population_by_age": {k: int(round(float(v))) for k, v in zip(AGE_KEYS, age)},
        "imd2025_decile_share_pct": _decile_shares(imd65),
        "idaopi2019_decile_share_pct": _decile_shares(ida65),
        "idaopi2019_unknown_pct": _pct(ida65[0], ida65.sum()),
        "most_deprived_30pct_pct": {
            "age_65_plus": _pct(imd65[dep].sum(), imd65[1:].sum()),
            "age_85_plus": _pct(imd[2, dep].sum(), imd[2, 1:].sum()),
        },
        "disability_pct": _pct(float(p.disabled[idx].sum()), float(p.residents[idx].sum())),
        "residents_census2021": int(round(float(p.residents[idx].sum()))),
    }


def continuity(p: UnitProfiles, changes: list[dict], succ: dict | None = None) -> dict:
    """Care hours a week and people supported (estimated) in units whose zone changes (``kind_of``), total and per
    zone pair (from → to), with the zone successions used."""
    pairs: dict[tuple[str, str], dict] = {}
    for c in changes:
        if kind_of(c, succ) != "zone_changed":
            continue
        d = pairs.setdefault((c["from_zone"], c["to_zone"]), {"n_units": 0, "hours": 0.0, "codes": []})
        d["n_units"] += 1
        d["hours"] += float(c["hours_per_week"])
        d["codes"].append(c["unit_code"])
    rows = []
    for (a, b), d in sorted(pairs.items()):
        age = p.age[p.positions(d["codes"])].sum(axis=0) if d["codes"] else np.zeros(3)
        rows.append(
            {
                "from_zone": a,
                "to_zone": b,
                "n_units": d["n_units"],
                "hours_per_week": round(d["hours"], 2),
                "clients_est": round(d["hours"] / p.hours_per_client, 1),
                "residents_85_plus": int(round(float(age[2]))),
            }
        )
    hours = float(sum(d["hours"] for d in pairs.values()))
    renamed = {new: old for new, old in (succ or {}).items() if new != old}
    return {
        "hours_per_week_changing_zone": round(hours, 2),
        "clients_changing_zone_est": round(hours / p.hours_per_client, 1),
        "hours_per_client": round(p.hours_per_client, 2),
        "hours_per_client_rule": p.hours_per_client_rule,
        "hours_per_client_assumed": p.hours_per_client_assumed,
        "by_zone_pair": rows,
        "zone_continues": renamed,
        "rule": "a unit changes zone when its new zone does not continue its old one; a zone of the same name "
        "continues itself, a newly named zone continues the old zone it takes the most hours from "
        "(one to one)",
    }


ESTIMATE_NOTES = (
    "Every figure is an estimate from published small-area statistics, not a count of the council's clients.",
    "Residents by age: ONS mid-2020 estimates per LSOA 2011, shared between units by the postcode centroids of each "
    "LSOA (ONS NSPD Nov 2025), the same rule as the estimated care hours; rounded to whole persons.",
    "Deprivation shares are of residents aged 65+; each LSOA 2011's residents are moved onto the LSOA 2021s it "
    "became (ONS lookup) in proportion to their Census 2021 residents aged 65+.",
    "IMD 2025 decile: MHCLG English Indices of Deprivation 2025 (LSOA 2021); decile 1 = the most deprived 10 % of "
    "England's neighbourhoods. IDAOPI 2019 decile: IoD 2019 (LSOA 2011); the IDAOPI 2025 decile is not in the data.",
    "Disability: Census 2021 TS038 (Equality Act definition), all ages: the data has no split by age.",
)


def change_equality(p: UnitProfiles, changes: list[dict], zone_label: str = "zone", base_zones=None) -> dict:
    """The ``equality`` block of ``zoneplan impact --json`` / ``scenario compare --json`` for ``changes``
    (``base_zones``: the zones of the plan changed from, for ``zone_successors``)."""
    succ = zone_successors(changes, base_zones)
    codes = list(dict.fromkeys(c["unit_code"] for c in changes))
    kind: dict[str, str] = {}
    hours: dict[str, float] = {}
    rank = {"renamed_only": 0, "band_only": 1, "zone_changed": 2}
    for c in changes:
        k = kind_of(c, succ)
        kind[c["unit_code"]] = max(k, kind.get(c["unit_code"], k), key=lambda x: rank[x])
        hours[c["unit_code"]] = hours.get(c["unit_code"], 0.0) + float(c["hours_per_week"])
    affected = [c for c in codes if kind[c] != "renamed_only"]
    everyone = group_figures(p, p.positions(affected), sum(hours[c] for c in affected))
    by = {}
    for k in ("band_only", "zone_changed", "renamed_only"):
        ks = [c for c in codes if kind[c] == k]
        by[k] = group_figures(p, p.positions(ks), sum(hours[c] for c in ks))
    out = {
        **everyone,
        "disability_pct_council": _pct(p.council_disabled, p.council_residents),
        "continuity": continuity(p, changes, succ),
        "by_change": by,
        "estimated": True,
        "sources": list(p.sources),
        "vintage": dict(p.vintage),
        "estimate_notes": list(ESTIMATE_NOTES) + [f"People supported: {p.hours_per_client_rule}."],
    }
    out["summary"] = sentences(out, zone_label)
    return out


def _fmt(n) -> str:
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def sentences(eq: dict, zone_label: str = "zone") -> list[str]:
    """The figures in plain words (what the Finance and Scenarios pages and the report print)."""
    out = []
    what = {
        "band_only": "change band only (same provider)",
        "zone_changed": f"change {zone_label} (and so may change provider)",
    }
    for k, g in eq["by_change"].items():
        if not g["n_units"] or k not in what:
            continue
        a = g["population_by_age"]
        dep = g["most_deprived_30pct_pct"]["age_85_plus"]
        s = (
            f"About {a['age_85_plus']:,} residents aged 85+ (and {a['age_65_74'] + a['age_75_84']:,} aged 65-84) "
            f"live in the {g['n_units']} unit{'s' if g['n_units'] != 1 else ''} that {what[k]}"
        )
        s += (
            f"; {dep:.0f} % of those aged 85+ live in the most deprived 30 % of England (IMD 2025)."
            if dep is not None
            else "."
        )
        out.append(s + " Estimate: ONS mid-2020 population, English Indices of Deprivation 2025.")
    if eq.get("disability_pct") is not None:
        out.append(
            f"{eq['disability_pct']:.1f} % of all residents of the changed units are disabled under the "
            f"Equality Act, against {eq['disability_pct_council']:.1f} % across the council "
            "(estimate: Census 2021 TS038, all ages)."
        )
    c = eq["continuity"]
    if c["by_zone_pair"]:
        pairs = "; ".join(
            f"{r['from_zone']} → {r['to_zone']}: {r['hours_per_week']:,.2f} h, about {_fmt(r['clients_est'])} people"
            for r in c["by_zone_pair"]
        )
        out.append(
            f"Continuity of care: an estimated {c['hours_per_week_changing_zone']:,.2f} care hours a week, "
            f"about {_fmt(c['clients_changing_zone_est'])} people supported, are in units whose {zone_label} "
            f"changes ({pairs}). People = hours ÷ {c['hours_per_client']:.2f} h a week per person"
            + (" (an assumption)" if c["hours_per_client_assumed"] else "")
            + ": an estimate, not a count of clients."
        )
    if c.get("zone_continues"):
        out.append(
            f"New {zone_label} names continue old ones (their provider can stay): "
            + "; ".join(f"{a} continues {b}" for a, b in sorted(c["zone_continues"].items()))
            + f". Units whose new {zone_label} continues their old one are not counted as changing."
        )
    elif eq["n_units"] and not c["by_zone_pair"]:
        out.append(
            f"Continuity of care: no unit changes {zone_label}, so no one needs to change provider because "
            "of this change."
        )
    return out


# ---------------------------------------------------------------- wiring to a council's data

_PROFILE_CACHE: dict = {}


def profiles_for_layer(layer) -> UnitProfiles:
    """The ``UnitProfiles`` of a council's units (``geodata.units.UnitLayer``), read through ``geodata.equality``
    (pieces cached on disk; profiles kept per process, keyed by the pack and its units)."""
    from geodata import equality as geq

    key = (layer.pack.id, tuple(layer.units["unit_code"].astype(str)), round(float(layer.units.geometry.area.sum()), 1))
    if key in _PROFILE_CACHE:
        return _PROFILE_CACHE[key]
    src = geq.load_sources()
    pieces = geq.unit_pieces(layer)
    dis, res = geq.council_disability(src, layer.pack.lad_codes)
    hpc, rule, assumed = geq.hours_per_client(layer.pack)
    prof = build_profiles(
        layer.units["unit_code"],
        pieces,
        src.lsoa21,
        src.lsoa11,
        council_disabled=dis,
        council_residents=res,
        hours_per_client=hpc,
        hours_per_client_rule=rule,
        hours_per_client_assumed=assumed,
        sources=geq.SOURCES,
        vintage=tuple(geq.VINTAGE.items()),
    )
    if len(_PROFILE_CACHE) > 8:
        _PROFILE_CACHE.clear()
    _PROFILE_CACHE[key] = prof
    return prof


def equality_block(layer, changes: list[dict], base_zones=None) -> dict:
    """``change_equality`` for a council's layer, or ``{"available": False, "reason": ...}`` when the equality
    data cannot be read (a missing file is named; nothing else fails)."""
    from geodata.datadir import DataError

    try:
        prof = profiles_for_layer(layer)
    except DataError as exc:
        return {"available": False, "reason": str(exc)[:500], "estimated": True}
    return {"available": True, **change_equality(prof, changes, layer.pack.zone_label, base_zones)}


def unit_imd_deciles(p: UnitProfiles) -> list:
    """Per unit, the IMD 2025 decile of its median resident aged 65+ (1 = most deprived 10 % of England), or None
    for a unit with no known residents: what the zone map shades (estimate, LSOA 2021 moved onto units)."""
    counts = p.imd.sum(axis=1)[:, 1:]  # (n, 10): residents 65+ by decile 1..10
    out = []
    for row in counts:
        tot = row.sum()
        out.append(int(np.searchsorted(np.cumsum(row), tot / 2) + 1) if tot > 0 else None)
    return out
