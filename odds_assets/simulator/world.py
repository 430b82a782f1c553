"""The simulated football world: competitions, teams, events and which book lists which event when.

Events are an endless sequence indexed by ``k``: event ``k`` appears on the pre-match board at
``k * spacing`` seconds after the epoch and kicks off one horizon later (rounded up to a quarter
hour), so about ``config.events`` events are on the board at any moment, new ones keep appearing
and the oldest keep starting. Everything about an event is derived from ``hash(seed, k)``; no
state is kept, so any event at any time is computed directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from odds_assets.simulator._hash import choice_index, h, uniform
from odds_assets.simulator.config import SimulatorConfig

__all__ = ["BOOKS", "Competition", "SimEvent", "World", "COMPETITIONS"]

BOOKS: tuple[str, ...] = ("betpawa", "sportybet", "bet9ja")
BOOK_INDEX = {b: i for i, b in enumerate(BOOKS)}

# Salts keep the hash streams of different decisions independent.
_S_COMP = 11
_S_TEAM = 12
_S_ABSENT = 13
_S_NAME = 14
_S_JITTER = 15
_S_STRENGTH = 16


@dataclass(frozen=True, slots=True)
class Competition:
    """One competition with its ids and names at each book (names differ slightly between books)."""

    country: str
    name: str
    bp_region_id: str
    bp_id: str
    sb_category: int
    sb_tournament: int
    b9_sgid: int
    b9_gid: int
    b9_name: str
    sb_name: str
    weight: int


def _c(country: str, name: str, region: int, bp: int, cat: int, tour: int, sgid: int, gid: int,
       weight: int, b9_name: str | None = None, sb_name: str | None = None) -> Competition:
    return Competition(country, name, str(region), str(bp), cat, tour, sgid, gid,
                       b9_name or name, sb_name or name, weight)


# Ids are in the style of the real books (BetPawa numeric strings, SportyBet sr:category/tournament,
# Bet9ja SGID/GID ints); the values are invented.
COMPETITIONS: tuple[Competition, ...] = (
    _c("England", "Premier League", 1, 11965, 1, 17, 10011, 170880, 6),
    _c("England", "Championship", 1, 11966, 1, 18, 10011, 170881, 5, b9_name="Championship"),
    _c("England", "League One", 1, 11967, 1, 24, 10011, 170882, 4),
    _c("Spain", "LaLiga", 2, 12001, 32, 8, 10012, 180320, 5, b9_name="La Liga"),
    _c("Spain", "LaLiga 2", 2, 12002, 32, 54, 10012, 180321, 3, b9_name="Segunda Division"),
    _c("Italy", "Serie A", 3, 12101, 31, 23, 10013, 167856, 5),
    _c("Italy", "Serie B", 3, 12102, 31, 53, 10013, 167857, 3),
    _c("Germany", "Bundesliga", 4, 12201, 30, 35, 10014, 180923, 5),
    _c("Germany", "2. Bundesliga", 4, 12202, 30, 44, 10014, 180924, 3, b9_name="Bundesliga 2"),
    _c("France", "Ligue 1", 5, 12301, 7, 34, 10015, 950503, 5),
    _c("France", "Ligue 2", 5, 12302, 7, 182, 10015, 950504, 3),
    _c("Netherlands", "Eredivisie", 6, 12401, 35, 37, 10016, 1000345, 3),
    _c("Portugal", "Liga Portugal", 7, 12501, 44, 238, 10017, 1000346, 3, b9_name="Primeira Liga"),
    _c("Turkey", "Super Lig", 8, 12601, 46, 52, 10018, 1000347, 3, sb_name="Super Lig"),
    _c("Brazil", "Brasileiro Serie A", 9, 12701, 13, 325, 10019, 1000348, 4, b9_name="Serie A"),
    _c("Argentina", "Liga Profesional", 10, 12801, 48, 155, 10020, 1000349, 3),
    _c("USA", "MLS", 11, 12901, 26, 242, 10021, 1000350, 3, sb_name="Major League Soccer"),
    _c("China", "Chinese Super League", 150, 13344, 99, 649, 12016, 1414963, 3),
    _c("Japan", "J1 League", 13, 13401, 52, 196, 10023, 1000352, 3),
    _c("Nigeria", "NPFL", 14, 13501, 143, 2432, 10024, 1000353, 3, sb_name="Premier League"),
    _c("Ghana", "Premier League", 15, 13601, 392, 2433, 10025, 1000354, 2),
    _c("Kenya", "Premier League", 16, 13701, 393, 2434, 10026, 1000355, 2),
    _c("Sweden", "Allsvenskan", 17, 13801, 9, 40, 10027, 1000356, 2),
    _c("Norway", "Eliteserien", 18, 13901, 5, 20, 10028, 1000357, 2),
)
_TOTAL_WEIGHT = sum(c.weight for c in COMPETITIONS)
_CUMULATIVE = tuple(sum(c.weight for c in COMPETITIONS[: i + 1]) for i in range(len(COMPETITIONS)))

_PLACES = (
    "Aldmouth", "Brackenford", "Calderon", "Dunmore", "Eastvale", "Fairhaven", "Glenrock", "Harrowgate",
    "Ironbridge", "Juniper", "Kingsport", "Lakeside", "Marbella", "Northwick", "Oakfield", "Portsea",
    "Queensbury", "Riverton", "Stonehill", "Thornbury", "Upton", "Valverde", "Westbrook", "Yarmouth",
    "Zelenograd", "Almaden", "Belmonte", "Castellon", "Dorado", "Estrela", "Fontaine", "Granada Norte",
    "Hoffenheim Ost", "Isola", "Jaraguá", "Kashima Bay", "Lindholm", "Montebello", "Nordhavn", "Ostrava Sud",
    "Palmeira", "Quinta", "Rosario Sur", "San Telmo", "Tamarind", "Ulsan Port", "Villanova", "Wuhan Three Towns",
    "Qingdao Hainiu", "Xanthi", "Yokohama Bay", "Zaragoza Este", "Abeokuta", "Bolgatanga", "Cape Coast",
    "Dodoma", "Enugu", "Falun", "Gjovik", "Heerlen", "Ilorin", "Jos", "Kumasi", "Lokeren", "Malmberget",
)
_PATTERNS = ("{p}", "{p} United", "{p} City", "Real {p}", "{p} Rovers", "Sporting {p}", "{p} Athletic",
             "{p} Wanderers", "Dynamo {p}", "{p} Town")


@dataclass(frozen=True, slots=True)
class SimEvent:
    """One event of the world, with its per-book identity (names, ids) and its schedule."""

    k: int
    sr_id: int
    competition: Competition
    home_base: str
    away_base: str
    appear_at: int
    kickoff: int
    #: home-minus-away strength in goals; drives the odds so the three books roughly agree
    strength: float
    #: expected total goals
    goals: float

    @property
    def betpawa_id(self) -> str:
        return str(33_000_000 + self.k)

    @property
    def bet9ja_id(self) -> int:
        return 760_000_000 + self.k

    @property
    def bet9ja_code(self) -> str:
        return str(1000 + self.k % 9000)

    @property
    def kickoff_dt(self) -> datetime:
        return datetime.fromtimestamp(self.kickoff, tz=timezone.utc)

    def team_names(self, book: str) -> tuple[str, str]:
        """(home, away) as ``book`` spells them."""
        return _book_name(self.home_base, book), _book_name(self.away_base, book)

    def competition_name(self, book: str) -> str:
        if book == "bet9ja":
            return self.competition.b9_name
        if book == "sportybet":
            return self.competition.sb_name
        return self.competition.name


@lru_cache(maxsize=4096)
def _book_name(base: str, book: str) -> str:
    # Each book spells some teams its own way, as in the capture ("Wuhan Three Towns FC" at BetPawa
    # and SportyBet, "Wuhan Three Towns" at Bet9ja); the SR id is the only reliable join key.
    key = h(_S_NAME, *base.encode())
    with_fc = key % 5 < 2
    if book == "bet9ja":
        return base.replace(" United", " Utd").replace("Sporting ", "Sp. ")
    if book == "sportybet" and (key >> 8) % 4 == 0:
        return base
    return base + " FC" if with_fc else base


@lru_cache(maxsize=64)
def _team_names(seed: int, comp_index: int) -> tuple[str, ...]:
    # 18 distinct team names per competition, drawn from places × patterns
    names: list[str] = []
    j = 0
    while len(names) < 18:
        p = _PLACES[h(seed, _S_TEAM, comp_index, j, 7) % len(_PLACES)]
        pat = _PATTERNS[h(seed, _S_TEAM, comp_index, j, 8) % len(_PATTERNS)]
        name = pat.format(p=p)
        if name not in names:
            names.append(name)
        j += 1
    return tuple(names)


class World:
    """Events and board membership as a function of time; holds no mutable state."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.seed = int(config.seed)
        self.tick_seconds = int(config.tick_seconds)
        self.horizon = int(config.horizon_hours * 3600)
        self.spacing = self.horizon / max(1, int(config.events))
        self._event_cache: dict[int, SimEvent] = {}

    def tick_of(self, t: float) -> int:
        return int(math.floor(t / self.tick_seconds))

    def tick_start(self, tick: int) -> int:
        return tick * self.tick_seconds

    def event(self, k: int) -> SimEvent:
        ev = self._event_cache.get(k)
        if ev is None:
            ev = self._make_event(k)
            if len(self._event_cache) > 200_000:
                self._event_cache.clear()
            self._event_cache[k] = ev
        return ev

    def _make_event(self, k: int) -> SimEvent:
        s = self.seed
        r = h(s, _S_COMP, k) % _TOTAL_WEIGHT
        ci = next(i for i, c in enumerate(_CUMULATIVE) if r < c)
        comp = COMPETITIONS[ci]
        teams = _team_names(self.seed, ci)
        hi = choice_index(len(teams), s, _S_TEAM, k, 1)
        ai = choice_index(len(teams) - 1, s, _S_TEAM, k, 2)
        if ai >= hi:
            ai += 1
        appear = int(math.floor(k * self.spacing))
        # kick-offs fall on quarter hours, as real fixtures do
        kickoff = int(math.ceil((appear + self.horizon) / 900.0)) * 900
        strength = (uniform(s, _S_STRENGTH, k, 1) - 0.5) * 2.4
        goals = 2.0 + uniform(s, _S_STRENGTH, k, 2) * 1.2
        return SimEvent(k=k, sr_id=50_000_000 + k, competition=comp, home_base=teams[hi],
                        away_base=teams[ai], appear_at=appear, kickoff=kickoff, strength=strength, goals=goals)

    def listed(self, ev: SimEvent, book: str) -> bool:
        """Whether ``book`` lists this event at all (BetPawa, the reference, lists everything)."""
        if book == "betpawa":
            return True
        return uniform(self.seed, _S_ABSENT, ev.k, BOOK_INDEX[book]) >= self.config.absent_rate

    def on_board(self, ev: SimEvent, tick: int) -> bool:
        t = self.tick_start(tick)
        return ev.appear_at <= t < ev.kickoff

    def board(self, book: str, tick: int) -> list[SimEvent]:
        """Events ``book`` shows pre-match during ``tick``, by kick-off then event index."""
        t = self.tick_start(tick)
        lo = int(math.floor((t - self.horizon - 900) / self.spacing)) - 1
        hi = int(math.floor(t / self.spacing)) + 1
        out = []
        for k in range(lo, hi + 1):
            ev = self.event(k)
            if ev.appear_at <= t < ev.kickoff and self.listed(ev, book):
                out.append(ev)
        out.sort(key=lambda e: (e.kickoff, e.k))
        return out

    def find_k_by_sr(self, sr_id: int) -> int | None:
        """Event index of an SR id (SR ids are ``50_000_000 + k``)."""
        k = sr_id - 50_000_000
        return k if k >= 0 else None

    def find_k_by_betpawa(self, event_id: str) -> int | None:
        try:
            n = int(event_id)
        except ValueError:
            return None
        k = n - 33_000_000
        return k if k >= 0 else None

    def find_k_by_bet9ja(self, event_id: str) -> int | None:
        try:
            n = int(event_id)
        except ValueError:
            return None
        k = n - 760_000_000
        return k if k >= 0 else None
