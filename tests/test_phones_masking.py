"""Phone numbers (fpa.core.phones) and display masking (fpa.core.masking): pure rules."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fpa.core import masking
from fpa.core.idnumbers import synthesize
from fpa.core.masking import MASKERS, mask_id_number, mask_name, mask_phone
from fpa.core.phones import PhoneError, parse
from fpa.core.protected import KINDS

PROPERTY = settings(database=None, deadline=None, max_examples=200)
FORMAT_ERROR = "电话号码格式不正确：手机号为1开头的11位数字，座机为区号加7至8位号码。"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- mobile numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "13912341234",
        " 13912341234 ",
        "139 1234 1234",
        "139-1234-1234",
        "+86 139 1234 1234",
        "+8613912341234",
        full_width("13912341234"),
        full_width("+86 139-1234-1234"),
    ],
)
def test_mobile_as_typed_is_normalised(typed):
    assert parse(typed) == "13912341234"


@pytest.mark.parametrize(
    "typed",
    [
        "12912341234",  # no 12x mobile prefix
        "10912341234",
        "1391234123",  # 10 digits
        "139123412345",  # 12 digits
        "23912341234",
        "12345",
    ],
)
def test_malformed_numbers_are_refused(typed):
    with pytest.raises(PhoneError) as info:
        parse(typed)
    assert str(info.value) == FORMAT_ERROR


@pytest.mark.parametrize("typed", ["", "   ", "--", "电话"])
def test_nothing_typed_is_refused(typed):
    with pytest.raises(PhoneError) as info:
        parse(typed)
    assert str(info.value) == "请填写电话号码。"


# --- landlines --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("0930-1234567", "0930-1234567"),
        ("09301234567", "0930-1234567"),
        ("0930 1234567", "0930-1234567"),
        ("(0930)1234567", "0930-1234567"),
        (full_width("(0930)1234567"), "0930-1234567"),
        ("0930-123-4567", "0930-1234567"),
        ("0930-12345678", "0930-12345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("021 1234 5678", "021-12345678"),
    ],
)
def test_landline_has_one_canonical_form_however_typed(typed, canonical):
    assert parse(typed) == canonical


@pytest.mark.parametrize("typed", ["0930-123456", "093012345", "0930-123456789", "9930-1234567"])
def test_malformed_landlines_are_refused(typed):
    with pytest.raises(PhoneError) as info:
        parse(typed)
    assert str(info.value) == FORMAT_ERROR


mobiles = st.builds(
    lambda second, rest: f"1{second}{rest:09d}",
    st.sampled_from("3456789"),
    st.integers(0, 10**9 - 1),
)
landlines = st.one_of(
    st.builds(lambda n: f"010-{n:08d}", st.integers(10**7, 10**8 - 1)),
    st.builds(
        lambda c, n: f"02{c}-{n:08d}", st.sampled_from("0123456789"), st.integers(10**7, 10**8 - 1)
    ),
    st.builds(
        lambda area, n, size: f"0{area:03d}-{n % 10**size:0{size}d}",
        st.integers(300, 999),
        st.integers(10**6, 10**8 - 1),
        st.sampled_from([7, 8]),
    ),
)


@PROPERTY
@given(
    number=mobiles,
    separator=st.sampled_from(["", " ", "-"]),
    prefix=st.sampled_from(["", "+86", "+86 "]),
)
def test_every_typed_mobile_parses_to_its_digits(number, separator, prefix):
    typed = prefix + separator.join([number[:3], number[3:7], number[7:]])
    assert parse(typed) == number
    assert parse(full_width(typed)) == number


@PROPERTY
@given(number=landlines)
def test_every_landline_parses_to_itself_with_or_without_hyphen(number):
    assert parse(number) == number
    assert parse(number.replace("-", "")) == number
    assert parse(number.replace("-", " ")) == number


# --- masking ----------------------------------------------------------------------------------


def test_id_number_mask_hides_the_birth_date():
    assert mask_id_number("622923199001010026") == "622923********0026"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_phone_masks():
    assert mask_phone("13912341234") == "139****1234"
    assert mask_phone("0930-1234567") == "0930-***4567"
    assert mask_phone("010-12345678") == "010-****5678"
    # A value stored before landlines were canonical masks the same way as the canonical form.
    assert mask_phone("09301234567") == mask_phone("0930-1234567")
    assert mask_phone("01012345678") == mask_phone("010-12345678")


def test_short_values_are_all_stars():
    assert mask_id_number("123456789") == "*********"
    assert mask_phone("1234") == "****"


def test_name_mask():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_name("王") == "王*"  # even one character does not reveal the length
    assert mask_name("") == ""


def test_every_protected_kind_has_a_masker():
    assert set(MASKERS) == set(KINDS)
    assert MASKERS["id_number"] is masking.mask_id_number
    assert MASKERS["phone"] is masking.mask_phone


@PROPERTY
@given(
    birth=st.dates(min_value=datetime.date(1906, 1, 1), max_value=datetime.date(2024, 12, 31)),
    sequence=st.integers(0, 999),
)
def test_masked_id_number_keeps_region_and_tail_only(birth, sequence):
    value = synthesize("622923", birth, sequence)
    masked = mask_id_number(value)
    assert len(masked) == 18
    assert masked == value[:6] + "********" + value[-4:]
    assert f"{birth:%Y%m%d}" not in masked


@PROPERTY
@given(number=mobiles)
def test_masked_mobile_hides_the_middle_four(number):
    masked = mask_phone(parse(number))
    assert masked == number[:3] + "****" + number[-4:]
    assert number not in masked


@PROPERTY
@given(number=landlines)
def test_masked_landline_keeps_area_code_and_last_four_only(number):
    area, local = number.split("-")
    masked = mask_phone(parse(number))
    assert masked == f"{area}-" + "*" * (len(local) - 4) + local[-4:]
    assert local not in masked
    assert mask_phone(number.replace("-", "")) == masked
