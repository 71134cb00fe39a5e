"""Run the zone suggester for a council (CLI and app): load units, travel minutes, adjacency; search; compare
with the current plan; providers per zone; write the proposal as a scenario file and/or save it in the store.

Everything computed comes from ``zones.suggest`` (the search) and ``zones.travel_cost`` (travel minutes); this
module only wires them to the council's data and the scenario service.
"""

from __future__ import annotations

from geodata.datadir import DataError

MAX_CHANGED_LISTED = 1000


def providers_config(pack) -> dict:
    """The pack's ``[providers]`` section: providers per zone (``per_zone``, ``by_zone``) and the viability
    floor in hours per week per provider, with their sources. Empty dict when the pack has none."""
    return dict(pack.raw.get("providers", {}))


def providers_rows(per_zone: list[dict], card) -> None:
    """Add providers, hours_per_provider and below_viability_floor to each zone dict (in place), from the
    providers a rate card records (``zones.rates.RateCard.providers``); nothing when the card records none."""
    if card.providers_per_zone is None and not card.providers_by_zone:
        return
    floor = card.viability_floor_hours_per_week
    for z in per_zone:
        n = card.providers(z["name"]) or 0
        z["providers"] = n
        z["hours_per_provider"] = round(z["hours_per_week"] / n, 2) if n else None
        z["below_viability_floor"] = bool(floor is not None and n and z["hours_per_week"] / n < float(floor))


def suggest_target(council: str, units: str | None, mode: str | None) -> tuple[str, str]:
    """The pack the suggester runs on and the travel mode. A pack's ``[suggest] units_pack`` (e.g. Bradford's
    LSOA pack) is used by default or with ``units`` equal to its ``units_name``; ``units="own"`` (or the pack's
    unit type) keeps the pack's own units. ``mode`` None takes the target pack's ``[suggest] mode`` (else drive)."""
    from geodata.packs import load_pack

    pack = load_pack(council)
    sg = pack.raw.get("suggest", {})
    target = council
    if units in (None, sg.get("units_name")) and sg.get("units_pack"):
        target = sg["units_pack"]
    elif units not in (None, "own", pack.unit_type):
        raise DataError(
            f"--units {units}: pack {council} offers {', '.join(filter(None, ['own', sg.get('units_name')]))}"
        )
    if mode is None:
        mode = load_pack(target).raw.get("suggest", {}).get("mode", "drive")
    return target, mode


def run_suggestion(
    council: str,
    k: int,
    *,
    balance_pct: float = 15.0,
    lock=(),
    mode: str | None = None,
    from_plan: bool = False,
    seed: int = 0,
    steps: int | None = None,
    restarts: int = 2,
    axis: str | None = None,
    units: str | None = None,
    out: str | None = None,
    save: str | None = None,
    progress=None,
    workspace=None,
    store=None,
) -> dict:
    """Propose ``k`` zones for ``council`` and compare them with its current plan (see zones.suggest).

    Returns the JSON of ``zoneplan suggest``; with ``out`` writes the proposal as a scenario GeoPackage
    (EPSG:27700), with ``save`` stores it as a scenario (a new version when the name exists) in ``store`` (the
    signed-in user's store; default ``Store()``, the local admin). The proposal
    plan itself is under the key ``_plan`` (removed by the CLI before printing)."""
    from zones.suggest import axis_cost, order_by_axis, proposal_plan, rook_adjacency
    from zones.travel_cost import centres, unit_travel_minutes

    progress = progress or (lambda s, f: None)
    requested = council
    ws, mode = _workspace_and_mode(council, units, mode, workspace, progress)
    u = ws.units
    hours = u["hours_per_week"].to_numpy(float)
    current = u["zone"].astype(str).to_numpy(dtype=object)
    progress(f"{mode} minutes between unit centres", 0.05)
    tc = unit_travel_minutes(ws.layer, mode)
    progress("rook adjacency (shared edges)", 0.08)
    adj = rook_adjacency(u)
    xy = centres(u)
    search_cost = axis_cost(xy, tc.minutes, axis) if axis else tc.minutes

    res = _propose(
        hours,
        search_cost,
        adj,
        k,
        current,
        progress,
        balance_pct=balance_pct,
        lock=lock,
        from_plan=from_plan,
        seed=seed,
        steps=steps,
        restarts=restarts,
    )
    if axis:
        res = order_by_axis(res, xy, hours, axis)
    per_zone, cur_zones = _zone_tables(ws, res, current, hours, tc.minutes, adj)
    walk_note = _walk_figures(ws, res.zones, current, per_zone, cur_zones, progress) if mode == "walk" else None
    plan = proposal_plan(ws.base, res.zones, reason=f"suggested zones (seed {seed})")
    result = {
        "council": ws.layer.pack.id,
        "requested_council": requested,
        "k": k,
        "mode": mode,
        "balance_pct": balance_pct,
        "seed": seed,
        "axis": axis,
        **_result_body(ws, res, current, hours, per_zone, cur_zones, tc, mode, walk_note, adj),
    }
    _write_outputs(result, ws, plan, store, out=out, save=save, axis=axis)
    result["_plan"] = plan
    progress("done", 1.0)
    return result


def _result_body(ws, res, current, hours, per_zone, cur_zones, tc, mode, walk_note, adj) -> dict:
    """The ``zoneplan suggest`` JSON after its parameters: units, the proposal against the current zones, the
    changed units (at most ``MAX_CHANGED_LISTED`` listed), travel, adjacency, search and providers blocks."""
    from zones.suggest import summary

    u, pack = ws.units, ws.layer.pack
    changed = [
        {"unit_code": c, "unit_name": n, "from": f, "to": t, "hours_per_week": round(float(h), 2)}
        for c, n, f, t, h in zip(u["unit_code"], u["unit_name"], current, res.zones, hours)
        if f != t
    ]
    cfg = providers_config(pack)
    return {
        "n_units": int(len(u)),
        "unit_type": pack.unit_type,
        "balanced": res.balanced,
        "zone_label": pack.zone_label,
        "proposal": {"zones": per_zone, "summary": summary(per_zone)},
        "current": {"zones": cur_zones, "summary": summary(cur_zones), "note": ws.layer.zones_note},
        "changed_units": len(changed),
        "changes": changed[:MAX_CHANGED_LISTED],
        "travel": _travel_block(tc, mode, walk_note),
        "cost_figure": "mean_walk_min" if mode == "walk" else "mean_drive_min",
        "adjacency": _adjacency_block(u, adj),
        "search": res.info,
        "objective": res.objective,
        "hours_estimated": bool(u["hours_estimated"].any()),
        "providers": {k2: v for k2, v in cfg.items() if k2 != "by_zone"} if cfg else None,
    }


def _propose(hours, search_cost, adj, k: int, current, progress, **opts):
    """``zones.suggest.suggest`` with the search's progress mapped to 10 … 95 % and its input errors as
    ``DataError`` (one sentence for people)."""
    from zones.suggest import suggest

    def sub(step, frac):
        progress(step, 0.1 + 0.85 * frac)

    lock = opts.pop("lock")
    try:
        return suggest(hours, search_cost, adj, k, current=current, lock_zones=list(lock), progress=sub, **opts)
    except ValueError as exc:
        raise DataError(str(exc)) from None


def _write_outputs(result: dict, ws, plan, store, *, out: str | None, save: str | None, axis: str | None) -> None:
    """Write the proposal as a scenario GeoPackage (``out``, EPSG:27700) and/or save it as a scenario named
    ``save``; records ``out`` / ``scenario`` in ``result``."""
    u, pack = ws.units, ws.layer.pack
    if out:
        from zones.service.scenario_io import export_gpkg

        export_gpkg(u, plan, out)
        result["out"] = str(out)
    if save:
        note = f"zoneplan suggest {pack.id} --zones {result['k']} --mode {result['mode']} --seed {result['seed']}"
        note += f" --axis {axis}" if axis else ""
        result["scenario"] = _save_proposal(store, pack.id, save, plan, set(u["unit_code"]), note)


def _workspace_and_mode(council: str, units: str | None, mode: str | None, workspace, progress) -> tuple:
    """(workspace, travel mode): the given workspace (mode default drive), else the suggester's target pack's
    (``suggest_target``), loaded."""
    if workspace is not None:
        return workspace, mode if mode is not None else "drive"
    council, mode = suggest_target(council, units, mode)
    from zones.service.workspace import load_workspace

    progress("loading units, travel metrics and the current plan", 0.02)
    return load_workspace(council), mode


def _zone_tables(ws, res, current, hours, minutes, adj) -> tuple[list[dict], list[dict]]:
    """Per zone figures of the proposal and of the current plan (``zones.suggest.evaluate``), with balance
    deviation (% from the mean hours a week) and providers from the base plan's card."""
    from zones.suggest import evaluate

    pack = ws.layer.pack
    per_zone = evaluate(res.zones, hours, minutes, adj, order=[z["name"] for z in res.per_zone])
    for z, r in zip(per_zone, res.per_zone):
        z["locked"] = r.get("locked", False)
        z["balance_dev_pct"] = r.get("balance_dev_pct")
    cur_order = list(dict.fromkeys(pack.zone_names or [])) + sorted(set(current) - set(pack.zone_names or []))
    cur_zones = evaluate(current, hours, minutes, adj, order=cur_order)
    mean_h = hours.sum() / max(len(cur_zones), 1)
    for z in cur_zones:
        z["balance_dev_pct"] = round((z["hours_per_week"] / mean_h - 1) * 100, 1)
    providers_rows(per_zone, ws.base.rates)
    providers_rows(cur_zones, ws.base.rates)
    return per_zone, cur_zones


def _walk_figures(ws, proposed, current, per_zone: list[dict], cur_zones: list[dict], progress) -> str:
    """Walk mode: each zone's mean walking minutes and median walk between consecutive visits (in place); the
    note saying how the latter is estimated."""
    from zones.travel_cost import consecutive_visit_minutes

    progress("walk between consecutive visits per zone", 0.96)
    wk_new = consecutive_visit_minutes(ws.layer, proposed, "walk")
    wk_cur = consecutive_visit_minutes(ws.layer, current, "walk")
    for zs, wk in ((per_zone, wk_new), (cur_zones, wk_cur)):
        for z in zs:
            z["mean_walk_min"] = z["mean_drive_min"]  # in walk mode the travel figure is walking minutes
            z["median_walk_between_visits_min"] = wk[z["name"]]["median_min"]
    return (
        "median over a zone's client points (output-area points) of the walk to the nearest other client "
        "point of the same zone: ESTIMATED from straight-line metres x walking circuity measured on "
        "the reference walk graph, at 4.8 km/h"
    )


def _travel_block(tc, mode: str, walk_note: str | None) -> dict:
    """How the travel minutes were found: routed pairs against all, estimation error, the walk note."""
    return {
        "mode": mode,
        "method": tc.method,
        "pairs": tc.n_pairs,
        "routed_pairs": tc.n_routed_pairs,
        "estimated": tc.n_routed_pairs < tc.n_pairs,
        "estimate_error": tc.info.get("estimate_error"),
        "walk_between_visits": walk_note,
        "note": (
            f"{tc.n_pairs - tc.n_routed_pairs:,} of {tc.n_pairs:,} unit-centre pairs are ESTIMATED "
            "(no road/walk network covers them)"
        )
        if tc.n_routed_pairs < tc.n_pairs
        else "all pairs routed",
    }


def _adjacency_block(u, adj) -> dict:
    """The contiguity rule, edge count and the bridges added between units that share no edge (gap in metres)."""
    return {
        "contiguity": "rook (shared edge; corners do not count)",
        "edges": int(len(adj.edges)),
        "bridges": [
            {"from": str(u["unit_code"].iloc[a]), "to": str(u["unit_code"].iloc[b]), "gap_m": g}
            for a, b, g in adj.bridges
        ],
        "exclaves": "a unit made of several polygons is one node and moves whole",
    }


def _save_proposal(store, council: str, name: str, plan, valid: set[str], note: str) -> dict:
    """Store the proposal as scenario ``name`` (a new version of the latest when the name exists) in ``store``
    (default ``Store()``, the local admin); its id, version and name."""
    from zones.service.store import Store

    store = store or Store()
    a = plan.assignments()
    existing = store.list(council)
    hit = existing[existing["name"] == name] if len(existing) else existing
    if len(hit):
        sv = store.save(
            int(hit["id"].iloc[0]),
            int(hit["latest_version"].iloc[0]),
            a,
            plan.rates.to_dict(),
            note=note,
            valid_units=valid,
        )
    else:
        sv = store.create(
            council, name, a, plan.rates.to_dict(), description="suggested zones", note=note, valid_units=valid
        )
    return {"scenario_id": sv.scenario_id, "version": sv.number, "name": sv.name}


def zone_comparison(ws, plans: dict) -> dict:
    """Per plan (``{label: Plan}`` on the workspace's units): per zone ``name, units, hours_per_week,
    mean_drive_min`` (hours-weighted mean drive between two visits of the zone, minutes; ``zones.suggest.evaluate``
    on the travel engine's unit-centre minutes, routed or ESTIMATED as ``travel`` says), ``contiguous``, and the
    providers the plan's card records (``providers, hours_per_provider, below_viability_floor``), with the
    plan-level ``summary``. For comparing two scenarios lot by lot (Merton W/C/E against N/C/S)."""
    import numpy as np

    from zones.suggest import evaluate, rook_adjacency, summary
    from zones.travel_cost import unit_travel_minutes

    tc = unit_travel_minutes(ws.layer, "drive")
    adj = rook_adjacency(ws.units)
    codes = list(ws.units["unit_code"])
    out = {
        "travel": {
            "method": tc.method,
            "pairs": tc.n_pairs,
            "routed_pairs": tc.n_routed_pairs,
            "estimated": tc.n_routed_pairs < tc.n_pairs,
        }
    }
    for label, plan in plans.items():
        zones = np.array(plan.zone_per_unit(codes), dtype=object)
        hours = plan.unit_hours_per_week(codes)
        order = [z for z in plan.zone_names]
        per_zone = evaluate(zones, hours, tc.minutes, adj, order=order)
        providers_rows(per_zone, plan.rates)
        out[label] = {"zones": per_zone, "summary": summary(per_zone)}
    return out
