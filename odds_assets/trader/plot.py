"""The price path as a chart: one subplot per outcome, one step line per book, x = time (UTC).

Uses matplotlib's object API with the Agg canvas (no pyplot, no global backend switch), so it works
headless and does not disturb a caller that uses pyplot itself.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

from odds_assets.trader.data import BOOKS, PricePoint, format_line
from odds_assets.trader.history import HistoryData

__all__ = ["plot_price_path"]

# Fixed colours per book, so a trader learns them once.
_COLOURS = {"betpawa": "#1b9e3e", "sportybet": "#d62728", "bet9ja": "#1f5fbf"}


def plot_price_path(data: HistoryData, out_path: Path | str) -> Path:
    """Draw ``data`` to a PNG at ``out_path``; returns it.

    A price holds from its change until the next one, hence steps drawn "post". Active prices are solid,
    suspended ones dotted; while a market is gone the line has a gap (and an ``x`` marks the change).
    Each line runs on to the end of the window (``until``, or a little past the last change of any book)
    so the latest price stays visible.
    """
    import matplotlib.dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    outcomes: list[str] = []
    for p in data.paths:
        name = p.outcome or "?"
        if name not in outcomes:
            outcomes.append(name)
    if not outcomes:
        outcomes = ["(no changes in this window)"]
    all_times = [pt.captured_at for p in data.paths for pt in p.points]
    # points are filtered to <= until, so until (when given) is never before the last change
    if data.until is not None:
        end = data.until
    elif all_times:
        # a little past the last change, so the latest price (and a state that just began) is visible
        span = max(all_times) - min(all_times)
        end = max(all_times) + max(span / 10, timedelta(minutes=1))
    else:
        end = datetime.now(timezone.utc)

    fig = Figure(figsize=(10, 1.0 + 2.6 * len(outcomes)), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(outcomes), 1, sharex=True, squeeze=False)[:, 0]
    ev = data.event
    line = "" if data.line is None else f", line {format_line(data.line)}"
    fig.suptitle(f"{ev.home} v {ev.away} — {data.market} ({data.market_id}){line}")
    for ax, outcome in zip(axes, outcomes):
        for book in BOOKS:
            path = next((p for p in data.paths if p.bookmaker == book and (p.outcome or "?") == outcome), None)
            if path is None or not path.points:
                continue
            xs = [pt.captured_at for pt in path.points] + [end]
            active = [_val(pt.odds) if pt.available and pt.active else math.nan for pt in path.points]
            susp = [_val(pt.odds) if pt.available and not pt.active else math.nan for pt in path.points]
            colour = _COLOURS.get(book, "black")
            # repeat the last value at the end of the window so the last step is drawn
            ax.step(xs, active + active[-1:], where="post", color=colour, linewidth=1.8, label=book)
            if any(not math.isnan(v) for v in susp):
                ax.step(xs, susp + susp[-1:], where="post", color=colour, linewidth=1.4, linestyle=":",
                        label=f"{book} suspended")
            ax.plot([pt.captured_at for pt in path.points], [_val(pt.odds) if pt.available else math.nan
                                                             for pt in path.points],
                    "o", color=colour, markersize=3)
            gone = [pt for pt in path.points if not pt.available]
            if gone:
                prev = _previous_levels(path.points)
                ax.plot([pt.captured_at for pt in gone], [prev[id(pt)] for pt in gone], "x", color=colour,
                        markersize=7, label=f"{book} gone")
        ax.set_ylabel(f"{outcome}\nodds")
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(loc="best", fontsize="small")
    axes[-1].set_xlabel("time (UTC)")
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b %H:%M", tz=timezone.utc))
    out = Path(out_path)
    fig.savefig(out, format="png", dpi=110)
    return out


def _val(odds: Decimal | None) -> float:
    # NaN breaks a matplotlib line: no price, no line
    return math.nan if odds is None else float(odds)


def _previous_levels(points: list[PricePoint]) -> dict[int, float]:
    # where to put the "gone" marker: at the last price shown before it went away
    last = math.nan
    out: dict[int, float] = {}
    for pt in points:
        if pt.available and pt.odds is not None:
            last = float(pt.odds)
        elif not pt.available:
            out[id(pt)] = last
    return out

