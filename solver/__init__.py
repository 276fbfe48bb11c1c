"""The Matchmaker optimizer: `lithium-market/1` in, provably optimal `lithium-matches/1` out.

Plain Python and OR-Tools only, so analysts can run it without the web platform.
"""

from .market import Market, MarketError
from .parse import load_market, parse_market
from .result import Match, Progress, Result, SolveOptions
from .solve import solve

__all__ = [
    "Market", "MarketError", "Match", "Progress", "Result", "SolveOptions",
    "load_market", "parse_market", "solve",
]
