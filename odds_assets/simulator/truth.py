"""Ground truth: exactly what each book showed at a tick, in the normalised ``models`` form.

Built from the same per-tick instance states the renderers use, so the truth cannot drift from the
wire. Only markets with a BetPawa id are included (unmapped book-only markets are served but
absent here, and counted in ``EventOdds.unmapped``); only outcomes with a BetPawa label are kept.
Placeholders (BetPawa 0.0, SportyBet "0.00", Bet9ja "1") are ``Outcome(odds=None, active=False)``;
a suspended outcome that still shows a price is ``Outcome(odds=price, active=False)``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from odds_assets.models import Event, EventOdds, Market, Outcome
from odds_assets.simulator.markets import EventState, line_str
from odds_assets.simulator.world import SimEvent

__all__ = ["BoardStates", "board_truth", "event_truth", "truth_to_json"]


class BoardStates(Protocol):
    """What the truth reads of a simulator (``engine.Simulator``, which calls this module): the board
    and the per-tick instance states the renderers use."""

    def board(self, book: str, tick: int) -> list[SimEvent]: ...

    def event_state(self, book: str, ev: SimEvent, tick: int) -> EventState: ...


def _country(book: str, ev: SimEvent) -> str:
    return ev.competition.country


def _book_event_id(book: str, ev: SimEvent) -> str:
    if book == "betpawa":
        return ev.betpawa_id
    if book == "sportybet":
        return f"sr:match:{ev.sr_id}"
    return str(ev.bet9ja_id)


def event_truth(sim: BoardStates, book: str, ev: SimEvent, tick: int) -> EventOdds:
    """One event as ``book`` shows it during ``tick``."""
    home, away = ev.team_names(book)
    event = Event(bookmaker=book, sr_event_id=ev.sr_id, bookmaker_event_id=_book_event_id(book, ev),
                  home=home, away=away, kickoff=ev.kickoff_dt, competition=ev.competition_name(book),
                  country=_country(book, ev))
    markets: list[Market] = []
    unmapped: dict[str, int] = {}
    total = 0
    for inst, state in sim.event_state(book, ev, tick):
        if state is None:
            continue
        total += 1
        if not inst.mapped:
            # BetPawa's unmapped instances (realistic boards' extras) carry their raw key as the spec's name
            raw = (inst.spec.bet9ja_key if book == "bet9ja" else inst.spec.name if book == "betpawa"
                   else f"sportybet:{inst.spec.sportybet_id}")
            unmapped[str(raw)] = unmapped.get(str(raw), 0) + 1
            continue
        outcomes = tuple(
            Outcome(name=o.bp, odds=Decimal(cents).scaleb(-2) if cents else None, active=active)
            for o, (cents, active) in zip(inst.outcomes, state.outcomes)
            if o.bp is not None
        )
        if not outcomes:
            continue
        assert inst.spec.betpawa_id is not None
        line = None if inst.line_q is None else Decimal(inst.line_q) / 4
        markets.append(Market(market_id=inst.spec.betpawa_id, line=line, outcomes=outcomes))
    markets.sort(key=lambda m: (m.market_id, m.line if m.line is not None else Decimal(-1000)))
    return EventOdds(event=event, markets=tuple(markets), unmapped=unmapped, instances_total=total)


def board_truth(sim: BoardStates, book: str, tick: int) -> dict[int, EventOdds]:
    """Every event on ``book``'s board during ``tick``, keyed by SportRadar id."""
    return {ev.sr_id: event_truth(sim, book, ev, tick) for ev in sim.board(book, tick)}


def _dec(d: Decimal | None) -> str | None:
    return None if d is None else format(d, "f")


def truth_to_json(book: str, t: float, tick: int, truth: dict[int, EventOdds]) -> dict[str, Any]:
    """The JSON form served at ``GET /_sim/truth`` (decimals as strings, times ISO-8601 UTC)."""
    events = []
    for sr, eo in truth.items():
        e = eo.event
        events.append({
            "sr_event_id": sr,
            "bookmaker_event_id": e.bookmaker_event_id,
            "home": e.home,
            "away": e.away,
            "kickoff": e.kickoff.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "competition": e.competition,
            "country": e.country,
            "instances_total": eo.instances_total,
            "unmapped": dict(eo.unmapped),
            "markets": [
                {"market_id": m.market_id,
                 "line": None if m.line is None else line_str(int(m.line * 4)),
                 "outcomes": [{"name": o.name, "odds": _dec(o.odds), "active": o.active} for o in m.outcomes]}
                for m in eo.markets
            ],
        })
    return {"book": book, "t": t, "tick": tick, "events": events}
