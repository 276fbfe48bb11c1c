"""Unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-symbol alphabet (digits and capitals without I, O, Z, S, V).
Position 1 is the registering authority, 2 the kind of entity, 3-8 the administrative division
code (digits), 9-17 the organisation code, 18 a check character: with weights 3**i mod 31 for
positions i = 0..16, check = (31 - sum(value * weight) mod 31) mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, ...


def check_character(first17: str) -> str:
    """Check character for the first 17 characters; raises ValueError on a foreign symbol."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return code.strip().upper()


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is. Expects ``normalise``d input."""
    if len(code) != 18:
        return "length"
    if any(ch not in ALPHABET for ch in code):
        return "alphabet"
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "checksum"
    return None


def is_valid(code: str) -> bool:
    return problem(normalise(code)) is None
