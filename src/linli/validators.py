"""Plain validators shared by imports, forms and the demo city (no Django).

统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters —
registration authority (1), entity type (1), administrative division code (6),
organisation code (9, GB 11714 with its own check character), check character (1).
"""

from __future__ import annotations

# GB 32100-2015 code alphabet: digits and 21 capitals (no I, O, Z, S, V), value = position.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CODE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # GB 11714: A = 10 … Z = 35


def uscc_check_digit(first17: str) -> str:
    """The 18th (check) character of a unified social credit code from its first 17."""
    if len(first17) != 17:
        raise ValueError(f"expected 17 characters, got {len(first17)}")
    try:
        total = sum(
            USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True)
        )
    except ValueError:
        raise ValueError(f"{first17!r} has a character outside the GB 32100 alphabet") from None
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """Whether ``code`` is an 18-character unified social credit code with a correct check
    character (upper case, as issued; callers normalise user input first)."""
    if len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    return uscc_check_digit(code[:17]) == code[17]


def org_code_check_digit(first8: str) -> str:
    """The 9th (check) character of an organisation code (GB 11714-1997), which forms
    characters 9–17 of a unified social credit code."""
    if len(first8) != 8 or any(ch not in _ORG_CODE_ALPHABET for ch in first8):
        raise ValueError(f"{first8!r} is not 8 digits or capital letters")
    total = sum(
        _ORG_CODE_ALPHABET.index(ch) * w for ch, w in zip(first8, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))
