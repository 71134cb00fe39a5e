"""`zoneplan suggest COUNCIL --zones K [--balance-pct P] [--lock ZONE ...] [--mode drive|walk] [--from-plan]
[--seed N] [--axis ns|we] [--out plan.gpkg] [--save NAME] [--json]`: propose contiguous, balanced, low-travel zones
and compare them with the council's current plan."""

from __future__ import annotations

import sys
import time

from geodata.datadir import DataError

MAX_ZONES = 500


def register(sub) -> None:
    from zones.cli.main import float_arg, int_arg

    p = sub.add_parser("suggest", help="propose contiguous, balanced zones with little travel inside each zone")
    p.add_argument("council")
    p.add_argument(
        "--zones", type=int_arg(1, MAX_ZONES), required=True, help="number of zones K (locked zones count among them)"
    )
    p.add_argument(
        "--balance-pct", type=float_arg(0, 100), default=15.0, help="weekly hours within +/- P %% of the mean (15)"
    )
    p.add_argument("--lock", action="append", default=[], metavar="ZONE", help="keep this zone as it is (repeatable)")
    p.add_argument(
        "--mode",
        choices=["drive", "walk"],
        default=None,
        help="travel cost between units (default: the pack's [suggest] mode, else drive)",
    )
    p.add_argument("--from-plan", action="store_true", help="start from the current zones (keeps their names)")
    p.add_argument("--seed", type=int_arg(0, 2**32 - 1), default=0)
    p.add_argument(
        "--steps",
        type=int_arg(0, 1_000_000),
        default=None,
        help="ReCom steps per restart (default 20 per unit, >= 1000)",
    )
    p.add_argument("--restarts", type=int_arg(1, 50), default=2)
    p.add_argument(
        "--axis",
        choices=["ns", "we"],
        default=None,
        help="cut strips along an axis (ns: North/Centre/South): the search minimises the north-south "
        "(or west-east) separation inside zones; figures are still drive/walk minutes",
    )
    p.add_argument(
        "--units",
        default=None,
        help="units to cut: the pack's [suggest] units_pack by default (Bradford: lsoa), 'own' for the pack's own",
    )
    p.add_argument("--out", help="write the proposal as a scenario GeoPackage (importable with `scenario import`)")
    p.add_argument("--save", metavar="NAME", help="save the proposal in the scenario store under this name")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run)


def _progress(quiet: bool):
    last = [-1.0]

    def cb(step: str, frac: float) -> None:
        if frac - last[0] >= 0.05 or frac >= 1.0:
            last[0] = frac
            print(f"[{frac * 100:5.1f} %] {step}", file=sys.stderr, flush=True)

    return cb


def run(args) -> int:
    from geodata.packs import council_arg
    from zones.cli import print_json
    from zones.service.suggestion import run_suggestion

    args.council = council_arg(args.council)  # ' Merton ' and 'merton' are one council
    if not 1 <= args.zones <= MAX_ZONES:
        raise DataError(f"--zones must be between 1 and {MAX_ZONES}")
    if not 0 < args.balance_pct < 100:
        raise DataError("--balance-pct must lie between 0 and 100")
    if args.steps is not None and not 0 <= args.steps <= 1_000_000:
        raise DataError("--steps must be between 0 and 1,000,000")
    if not 1 <= args.restarts <= 50:
        raise DataError("--restarts must be between 1 and 50")
    store = None
    if args.save:  # sign in (and check the role) before the search, not after it
        from zones.cli.main import cli_user
        from zones.service.store import Store

        store = Store()
        store = store.as_user(cli_user(store))
        store.require_write()
    t0 = time.perf_counter()
    out = run_suggestion(
        args.council,
        args.zones,
        balance_pct=args.balance_pct,
        lock=args.lock,
        mode=args.mode,
        from_plan=args.from_plan,
        seed=args.seed,
        steps=args.steps,
        restarts=args.restarts,
        axis=args.axis,
        units=args.units,
        out=args.out,
        save=args.save,
        progress=_progress(False),
        store=store,
    )
    out.pop("_plan", None)
    out["elapsed_s"] = round(time.perf_counter() - t0, 1)
    if args.json:
        print_json(out)
    else:
        print(f"{out['council']}: {out['k']} zones ({out['mode']}), balanced={out['balanced']}")
        for side in ("proposal", "current"):
            s = out[side]["summary"]
            print(
                f"  {side}: mean {out['mode']} {s['mean_drive_min']} min, max balance deviation "
                f"{s['max_balance_dev_pct']} %, all contiguous {s['all_contiguous']}"
            )
        for z in out["proposal"]["zones"]:
            print(f"    {z['name']}: {z['units']} units, {z['hours_per_week']} h/week, {z['mean_drive_min']} min")
    return 0
