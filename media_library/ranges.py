"""HTTP Range requests (RFC 9110 section 14), as pure functions the serving view builds on.

What a request's Range header means for a file of `size` bytes comes out as one of three answers:

- `None`: serve the whole file with 200. That is the answer for no header, for any header we
  cannot parse (the RFC lets a server ignore an invalid Range, and ignoring is what browsers and
  caches expect), for range units other than `bytes`, and for requests with more than one range.
  We never answer multipart/byteranges: browsers' media elements ask for one range at a time,
  and a 200 with the whole file is always a correct answer to a Range request.
- a `ByteRange`: serve those bytes with 206 and `Content-Range: bytes start-end/size`.
- `RangeNotSatisfiable` raised: answer 416 with `Content-Range: bytes */size`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.http import parse_http_date_safe

# No real file comes near 10**18 bytes; longer numbers are treated as a malformed header
# rather than parsed into integers an attacker chose the size of.
MAX_DIGITS = 18
# One range is under 40 characters; a header longer than this is ignored unparsed.
MAX_HEADER_LENGTH = 1024

_OWS = " \t"
_RANGE_SPEC = re.compile(
    rf"(?P<first>[0-9]{{1,{MAX_DIGITS}}})-(?P<last>[0-9]{{0,{MAX_DIGITS}}})"
    rf"|-(?P<suffix>[0-9]{{1,{MAX_DIGITS}}})",
    re.ASCII,
)


class RangeNotSatisfiable(Exception):
    """The header was valid, but no byte it asks for exists (answer 416)."""


@dataclass(frozen=True)
class RangeSpec:
    """One range-spec as written: `first-last`, `first-` (last is None) or `-suffix`."""

    first: int | None
    last: int | None
    suffix: int | None = None


@dataclass(frozen=True)
class ByteRange:
    """A satisfiable range of a file: `start` to `end`, both inclusive, as HTTP counts."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range_specs(value: str | None) -> list[RangeSpec] | None:
    """The range-specs of a `bytes` Range header, or None when it is absent or malformed.

    Follows the RFC grammar strictly: the unit (case-insensitive) and "=" with no whitespace
    around them, optional whitespace only around commas, ASCII digits only, and first <= last.
    """
    if not value or len(value) > MAX_HEADER_LENGTH:
        return None
    # A field value's leading and trailing whitespace is not part of it (RFC 9110 5.5).
    value = value.strip(_OWS)
    unit, equals, range_set = value.partition("=")
    if not equals or unit.lower() != "bytes" or range_set != range_set.lstrip(_OWS):
        return None
    specs = []
    # Recipients must tolerate empty list elements ("0-1,,2-3", RFC 9110 5.6.1.2).
    for element in (part.strip(_OWS) for part in range_set.split(",")):
        if not element:
            continue
        match = _RANGE_SPEC.fullmatch(element)
        if match is None:
            return None
        if match["suffix"] is not None:
            specs.append(RangeSpec(first=None, last=None, suffix=int(match["suffix"])))
            continue
        first = int(match["first"])
        last = int(match["last"]) if match["last"] else None
        if last is not None and last < first:
            return None
        specs.append(RangeSpec(first=first, last=last))
    return specs or None


def resolve_range(value: str | None, size: int) -> ByteRange | None:
    """The single byte range to serve from a file of `size` bytes (see the module docstring).

    Raises RangeNotSatisfiable for a valid single range that selects nothing: a start at or
    beyond the end of the file, a zero-length suffix (`bytes=-0`), or any range of an empty file.
    """
    specs = parse_range_specs(value)
    if specs is None or len(specs) != 1:
        return None
    spec = specs[0]
    if spec.suffix is not None:
        if spec.suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        # A suffix longer than the file means the whole file (still a 206).
        return ByteRange(start=max(0, size - spec.suffix), end=size - 1)
    assert spec.first is not None
    if spec.first >= size:
        raise RangeNotSatisfiable
    end = size - 1 if spec.last is None else min(spec.last, size - 1)
    return ByteRange(start=spec.first, end=end)


def if_range_matches(if_range: str | None, etag: str | None, last_modified: int | None) -> bool:
    """Whether an If-Range precondition holds, so the Range header may be honoured.

    An entity-tag must match ours by strong comparison (a weak tag never does); a date must equal
    our Last-Modified exactly (RFC 9110 13.1.5). No If-Range header means the range stands.
    """
    if if_range is None:
        return True
    if_range = if_range.strip(_OWS)
    if if_range.startswith(('"', "W/")):
        return bool(etag) and not etag.startswith("W/") and if_range == etag
    date = parse_http_date_safe(if_range)
    return date is not None and last_modified is not None and date == last_modified
