"""Generate docs/img/bands.png (the figure of docs/bands.md) from the code and the data, and print the figures.

    .venv/bin/python docs/make_bands_figure.py [--council leicestershire] [--out docs/img/bands.png]

Left: every unit by its evidence (minutes from the nearest town's edge, minutes between visits), coloured by its
band, with the thresholds drawn; marker size = care hours a week. Middle: share of care hours per band against
the report's para 69 target, with the out-of-sample shares (each district classified by thresholds fitted on the
other six). Right: agreement (linear-weighted kappa) with ONS RUC 2011 and 2021 for the classifier and the two
baselines. The last line printed is one JSON object with the figures drawn.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geodata.datadir import ATTRIBUTION  # noqa: E402
from geodata.units import load_units  # noqa: E402
from travel.metrics import unit_metrics  # noqa: E402
from zones.classify import BANDS, Thresholds  # noqa: E402
from zones.cli.classify import classification_summary  # noqa: E402
from zones.outputs.report import BAND_COLOURS  # noqa: E402
from zones.plan import base_plan  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--council", default="leicestershire")
    ap.add_argument("--out", default=str(ROOT / "docs" / "img" / "bands.png"))
    a = ap.parse_args()
    layer = load_units(a.council)
    metrics = unit_metrics(layer)
    _, cls = base_plan(layer, metrics)
    moves = ROOT / "examples" / f"{layer.pack.id}_para47_moves.csv"
    s = classification_summary(layer, metrics, cls, validate=True, moves_path=moves if moves.exists() else None)
    th = Thresholds.from_pack(layer.pack)
    t = cls.merge(layer.units[["unit_code", "hours_per_week"]], on="unit_code")

    fig, ax = plt.subplots(1, 3, figsize=(16, 5.2), gridspec_kw={"width_ratios": [1.4, 1, 1]})
    for b in BANDS:
        g = t[t["band"] == b]
        ax[0].scatter(g["town_min"], g["visit_to_visit_min"], s=8 + g["hours_per_week"] / 6, c=BAND_COLOURS[b],
                      edgecolors="k", linewidths=0.3, alpha=0.85, label=f"{b} ({len(g)} units)")
    for k, b in (("fringe", "fringe"), ("rural", "rural"), ("isolated", "isolated")):
        ax[0].axvline(getattr(th, f"{k}_town_min"), color=BAND_COLOURS[b], ls="--", lw=1)
        ax[0].axhline(getattr(th, f"{k}_visit_min"), color=BAND_COLOURS[b], ls=":", lw=1)
    ax[0].set_xlabel("minutes' drive from the nearest town's edge (dashed: thresholds)")
    ax[0].set_ylabel("minutes between visits (dotted: thresholds)")
    ax[0].set_title(f"{layer.pack.name}: {len(t)} units by their evidence\n(fringe also below "
                    f"{th.fringe_below_hours_per_km2:g} care hours a week per km²; size = hours a week)", fontsize=10)
    ax[0].legend(fontsize=8, loc="upper right")

    x = np.arange(4)
    share = [s["hours_share_by_band"][b] for b in BANDS]
    ax[1].bar(x - 0.27, share, 0.27, color=[BAND_COLOURS[b] for b in BANDS], edgecolor="k", label="classifier")
    lodo = s.get("validation", {}).get("leave_one_district_out")
    if lodo:
        ax[1].bar(x, [lodo["county_shares_pct"][b] for b in BANDS], 0.27, color="white", edgecolor="k", hatch="//",
                  label="out of sample (district held out)")
    target = s.get("target_share_by_band")
    if target:
        ax[1].bar(x + 0.27, [float(target[b]) for b in BANDS], 0.27, color="lightgrey", edgecolor="k",
                  label="report para 69")
    ax[1].set_xticks(x, BANDS)
    ax[1].set_ylabel("% of care hours")
    ax[1].set_title("Share of care hours per band", fontsize=10)
    ax[1].legend(fontsize=8)

    ruc = s.get("validation", {}).get("ruc", {})
    who = ["classifier_out_of_sample", "baseline_density", "baseline_density_same_shares", "baseline_area"]
    lab = ["classifier\n(out of sample)", "density\nalone", "density, the\nclassifier's\nshares", "unit area\nalone"]
    who = [w for w in who if all(w in ruc.get(k, {}) for k in ("ruc11", "ruc21"))]
    for j, key in enumerate(("ruc11", "ruc21")):
        if key in ruc:
            vals = np.array([ruc[key][w]["kappa_linear"] for w in who])
            ci = np.array([ruc[key][w].get("kappa_linear_ci95", [v, v]) for w, v in zip(who, vals)])
            ax[2].bar(np.arange(len(who)) + (j - 0.5) * 0.35, vals, 0.35, label=f"ONS {key.upper()}",
                      color=["#555", "#aaa"][j], edgecolor="k",
                      yerr=np.vstack([vals - ci[:, 0], ci[:, 1] - vals]), capsize=3)
    ax[2].set_xticks(np.arange(len(who)), [lab[["classifier_out_of_sample", "baseline_density",
                                                 "baseline_density_same_shares", "baseline_area"].index(w)] for w in who],
                     fontsize=8)
    ax[2].set_ylabel("agreement (linear-weighted kappa, 95 % bootstrap interval)")
    cd = s.get("validation", {}).get("council_decisions")
    extra = (f"\ncouncil's para-47 bands matched: classifier {cd['classifier']['match']}/{cd['classifier']['of']}, "
             f"density {cd['baseline_density']['match']}, area {cd['baseline_area']['match']}") if cd else ""
    ax[2].set_title("Agreement with independent classifications" + extra, fontsize=9)
    ax[2].legend(fontsize=8)
    fig.text(0.01, 0.01, "Travel minutes ESTIMATED (straight line × circuity ÷ speed) except where routed; hours "
             "ESTIMATED from population by age. " + ATTRIBUTION, fontsize=7)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.out, dpi=110)
    out = {"council": layer.pack.id, "figure": str(Path(a.out).relative_to(ROOT)) if Path(a.out).is_relative_to(ROOT)
           else a.out, "hours_share_by_band": s["hours_share_by_band"], "thresholds": s["thresholds"],
           "baseline_comparison": s.get("baseline_comparison"),
           "out_of_sample_county_shares_pct": lodo["county_shares_pct"] if lodo else None}
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
