"""Finance page control: a pay floor scenario (raise the care worker hourly pay floor in the cost build-up)."""

from decimal import Decimal

import pandas as pd
import streamlit as st

from geodata.datadir import DataError
from zones.money import fmt_gbp
from zones.outputs.people import payfloor_what_ifs


def show(ws, weeks) -> None:
    """Inputs from/to £ per hour; the new rate per band, the change per week and year, the report's forecast and
    the what-ifs, and every assumption with its source (all computed by zones.service.payfloor)."""
    from zones.rates import buildup_from_pack
    from zones.service.payfloor import payfloor_report

    if not st.toggle("Pay floor scenario: raise the care worker hourly pay", key="pf-on"):
        return
    with st.container(border=True):
        cb, _ = buildup_from_pack(ws.layer.pack)
        c = st.columns(2)
        lo = c[0].number_input("Pay floor now £/h", 1.0, 100.0, float(cb.pay_gbp_per_hour), 0.01, key="pf-from")
        hi = c[1].number_input("New pay floor £/h", 1.0, 100.0, float(cb.pay_gbp_per_hour) + 1.0, 0.01, key="pf-to")
        try:
            r = payfloor_report(ws, Decimal(str(lo)), Decimal(str(hi)), weeks)
        except DataError as exc:
            st.error(str(exc))
            return
        m = st.columns(2)
        m[0].metric("Change / week", fmt_gbp(r["gbp_per_week"]))
        m[1].metric("Change / year", fmt_gbp(r["gbp_per_year"]))
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "band": b,
                        "rate now £/h": str(v["rate_before_gbp_per_hour"]),
                        "new rate £/h": str(v["rate_after_gbp_per_hour"]),
                        "change £/h": str(v["change_gbp_per_hour"]),
                        "hours/week": float(v["hours_per_week"]),
                        "travel min per visit": float(v["travel_min_per_visit"]),
                    }
                    for b, v in r["bands"].items()
                ]
            ),
            hide_index=True,
            width="stretch",
        )
        if "report_forecast" in r:
            f = r["report_forecast"]
            st.info(
                f"The council's report forecasts {fmt_gbp(f['low_gbp_per_year'])} to {fmt_gbp(f['high_gbp_per_year'])} "
                f"a year ({f['source']}); this estimate is {f['ours_vs_report']} that range."
            )
        st.caption(r["method"] + (". Travel minutes per band are ESTIMATED." if r["travel_estimated"] else ""))
        st.dataframe(payfloor_what_ifs(r["sensitivity"]), hide_index=True, width="stretch")
        st.dataframe(pd.DataFrame(r["assumptions"]), hide_index=True, width="stretch")
