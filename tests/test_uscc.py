"""The unified social credit code (GB 32100-2015): check character, alphabet, full-width input,
and agreement with python-stdnum on random codes (no database)."""

from __future__ import annotations

import random

import pytest
from stdnum.cn import uscc as stdnum_uscc

from fpa.core import uscc

# A published example of the standard's structure, its check character computed here.
VALID = uscc.with_check_character("91622923MA7XYW001")


def test_check_character_agrees_with_stdnum_on_random_codes():
    rng = random.Random(14)
    for _ in range(2000):
        first17 = "".join(rng.choice(uscc.ALPHABET) for _ in range(17))
        assert uscc.check_character(first17) == stdnum_uscc.calc_check_digit(first17)


def test_weights_are_powers_of_three_mod_31():
    assert tuple(pow(3, i, 31) for i in range(17)) == uscc.WEIGHTS


def test_a_valid_code_is_returned_as_stored():
    assert uscc.parse(VALID) == VALID
    assert uscc.is_valid(VALID)


def test_full_width_lower_case_and_spaces_are_normalised():
    typed = "".join(chr(ord(c) + 0xFEE0) for c in VALID.lower())  # full-width, lower case
    assert uscc.parse(typed[:6] + "\u3000" + typed[6:]) == VALID
    assert uscc.parse(VALID[:8] + "-" + VALID[8:]) == VALID


def test_wrong_check_character_names_the_expected_one():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(uscc.CreditCodeError) as refused:
        uscc.parse(wrong)
    assert refused.value.code == "check_character"
    assert f"应为“{VALID[17]}”" in refused.value.message
    assert f"现为“{wrong[17]}”" in refused.value.message


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("91622923MA7XYW00", "length", "应为18位，现为16位"),
        ("91622923MA7XYW0O11", "character", "“O”"),  # O is not in the alphabet
        ("9162292IMA7XYW0011", "character", "“I”"),
        ("91AB2923MA7XYW0011", "division", "行政区划代码"),
        ("91622923MA7XYW00\u3001", "character", "\u3001"),  # an ideographic comma stays wide
    ],
)
def test_malformed_codes_are_refused_with_the_reason(raw, code, words):
    with pytest.raises(uscc.CreditCodeError) as refused:
        uscc.parse(raw)
    assert refused.value.code == code
    assert words in refused.value.message
    assert not uscc.is_valid(raw)
