"""The two media types a GraphQL answer comes in, and which one a request gets by its
Accept header, as the GraphQL-over-HTTP specification says (docs/frontend.md, "Media
types and status codes").

`application/graphql-response+json` is the specification's own: an answer in it is a
GraphQL response whatever its status, so a request error is a 4xx. `application/json`
is what clients from before it read: a request error is then a 200, as such a client
cannot tell a 4xx the CMS answered from a proxy's. It is the answer to a request that
sends no Accept. The body is the same in both; the status of an error, the Content-Type
and the ETag differ, and every answer says `Vary: Accept`.
"""

import re
from typing import NamedTuple

from core.memo import cached_function

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
# Where Accept ranks both alike (*/*, application/*), the first: what every client reads.
MEDIA_TYPES = (JSON, GRAPHQL_RESPONSE)
QUALITY = re.compile(r"^(0(\.\d*)?|1(\.0*)?)$")  # a qvalue (RFC 9110), more digits allowed


class MediaRange(NamedTuple):
    """One element of an Accept header: `type/subtype` (either may be *), its quality
    and its place in the header."""

    type: str
    subtype: str
    quality: float
    position: int

    @property
    def specificity(self):
        return (self.type != "*") + (self.subtype != "*")

    def covers(self, media_type):
        type_, subtype = media_type.split("/")
        return self.type in ("*", type_) and self.subtype in ("*", subtype)


def content_type(media_type):
    return f"{media_type}; charset=utf-8"


def etag_for(etag, media_type):
    """The ETag of an answer (made from its body) in `media_type`: the two differ, so that
    a cache revalidating one is never told the other is current."""
    return etag if media_type == JSON else etag[:-1] + '+graphql-response"'


# Bounded, as any client may send any header; the few in use (each client library's and
# browser's own) are worked out once.
@cached_function(maxsize=256)
def negotiated(accept):
    """The media type to answer a request whose Accept header is `accept` ("" when it
    sent none) in: the one it ranks highest, by quality, then one it names over one a
    wildcard covers, then the one it lists first; None when it accepts neither."""
    if not accept.strip():
        return JSON
    ranges = media_ranges(accept)
    ranked = []
    for preference, media_type in enumerate(MEDIA_TYPES):
        covering = [media_range for media_range in ranges if media_range.covers(media_type)]
        if not covering:
            continue
        # The most specific range covering a type gives its quality (RFC 9110, 12.5.1).
        best = max(
            covering, key=lambda media_range: (media_range.specificity, -media_range.position)
        )
        if best.quality > 0:
            rank = (best.quality, best.specificity, -best.position, -preference)
            ranked.append((rank, media_type))
    return max(ranked)[1] if ranked else None


def media_ranges(accept):
    """The well-formed elements of an Accept header, as MediaRanges; the others (no
    `type/subtype`, a quality that is not one) are left out."""
    ranges = []
    for position, element in enumerate(accept.split(",")):
        media_range, *parameters = element.split(";")
        type_, slash, subtype = media_range.strip().lower().partition("/")
        if not (slash and type_ and subtype) or (type_ == "*" and subtype != "*"):
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                if not QUALITY.match(value.strip()):
                    break
                quality = float(value)
        else:
            ranges.append(MediaRange(type_, subtype, quality, position))
    return ranges
