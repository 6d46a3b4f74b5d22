"""media_library.ranges: Range and If-Range headers as RFC 9110 reads them."""

from __future__ import annotations

import pytest

from media_library.ranges import (
    ByteRange,
    RangeNotSatisfiable,
    RangeSpec,
    if_range_matches,
    parse_range_specs,
    resolve_range,
)

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("bytes=0-99", ByteRange(0, 99)),
        ("bytes=100-", ByteRange(100, 999)),
        ("bytes=-50", ByteRange(950, 999)),
        ("bytes=0-0", ByteRange(0, 0)),
        ("bytes=999-999", ByteRange(999, 999)),
        ("bytes=0-", ByteRange(0, 999)),
        # The end is clamped to the last byte.
        ("bytes=10-5000", ByteRange(10, 999)),
        # A suffix longer than the file selects all of it.
        ("bytes=-5000", ByteRange(0, 999)),
        ("bytes=-1000", ByteRange(0, 999)),
        # Units compare case-insensitively; the field value's outer whitespace is not part of it;
        # empty list elements are tolerated.
        ("BYTES=1-2", ByteRange(1, 2)),
        ("  bytes=1-2\t", ByteRange(1, 2)),
        ("bytes=1-2,", ByteRange(1, 2)),
        ("bytes=,1-2", ByteRange(1, 2)),
        ("bytes=0007-0009", ByteRange(7, 9)),
    ],
)
def test_it_resolves_a_single_range(header: str, expected: ByteRange) -> None:
    assert resolve_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "bytes=",
        "bytes=abc",
        "bytes=5-2",
        "items=0-1",
        "bytes=--1",
        "bytes=1-2-3",
        "bytes=-",
        "bytes=,",
        "bytes 0-1",
        "bytes=0-1;",
        "bytes=+1-2",
        "bytes=-+1",
        "bytes=1.5-2",
        "bytes=0x10-20",
        "bytes=1_0-20",
        # Huge numbers are not parsed at all.
        "bytes=0-9999999999999999999",
        "bytes=9999999999999999999-",
        "bytes=-9999999999999999999",
        # Whitespace the grammar does not allow.
        "bytes = 0-1",
        "bytes= 0-1",
        "bytes =0-1",
        "bytes=0 -1",
        "bytes=0- 1",
        "bytes=\t0-1",
        "bytes=0-1 2",
        # Non-ASCII digits that int() would accept.
        "bytes=\u0661-\u0662",
        "bytes=\uff11-\uff12",
        # Multiple ranges are answered with the whole file (documented choice).
        "bytes=0-1,5-6",
        "bytes=0-1, 5-6",
        "bytes=0-1,0-1",
        "bytes=-1,0-0",
        "bytes=5000-6000,0-1",
        # A header too long to be a real single range.
        "bytes=" + ",".join(["0-1"] * 400),
    ],
)
def test_it_ignores_what_it_does_not_serve_as_one_range(header: str | None) -> None:
    assert resolve_range(header, SIZE) is None


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=5000-", "bytes=-0"])
def test_it_refuses_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_range(header, SIZE)


@pytest.mark.parametrize("header", ["bytes=0-", "bytes=0-0", "bytes=-1"])
def test_it_finds_nothing_to_serve_in_an_empty_file(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_range(header, 0)


def test_it_keeps_every_spec_of_a_valid_multi_range_header() -> None:
    assert parse_range_specs("bytes=0-1, 5-, -3") == [
        RangeSpec(first=0, last=1),
        RangeSpec(first=5, last=None),
        RangeSpec(first=None, last=None, suffix=3),
    ]


def test_it_writes_content_range_as_http_counts() -> None:
    byte_range = ByteRange(0, 99)
    assert byte_range.length == 100
    assert byte_range.content_range(1000) == "bytes 0-99/1000"


ETAG = '"abc123"'
LAST_MODIFIED = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT


@pytest.mark.parametrize(
    ("if_range", "expected"),
    [
        (None, True),
        ('"abc123"', True),
        ('"other"', False),
        # Weak tags never match strongly.
        ('W/"abc123"', False),
        ("Tue, 14 Nov 2023 22:13:20 GMT", True),
        ("Tue, 14 Nov 2023 22:13:21 GMT", False),
        ("Mon, 13 Nov 2023 22:13:20 GMT", False),
        ("not a date", False),
        ("", False),
    ],
)
def test_it_evaluates_if_range(if_range: str | None, expected: bool) -> None:
    assert if_range_matches(if_range, ETAG, LAST_MODIFIED) is expected


def test_it_never_matches_if_range_without_our_validators() -> None:
    assert not if_range_matches('"abc123"', None, None)
    assert not if_range_matches("Tue, 14 Nov 2023 22:13:20 GMT", ETAG, None)
    assert not if_range_matches('"abc123"', 'W/"abc123"', LAST_MODIFIED)
