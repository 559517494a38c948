"""Places on the map: distances and a small built-in table of London outward codes. Pure Python."""

import math
import re

EARTH_RADIUS_KM = 6371.0088

# Approximate centres of London postcode districts (outward codes); enough to estimate a delivery,
# never used to find an address. Unknown codes fall back to the mall's centre.
LONDON_OUTWARD_CODES: dict[str, tuple[float, float]] = {
    "EC1": (51.5246, -0.1000), "EC2": (51.5180, -0.0880), "EC3": (51.5120, -0.0800), "EC4": (51.5130, -0.1030),
    "WC1": (51.5220, -0.1230), "WC2": (51.5130, -0.1230),
    "E1": (51.5170, -0.0600), "E2": (51.5290, -0.0600), "E3": (51.5280, -0.0240), "E5": (51.5590, -0.0530),
    "E8": (51.5430, -0.0650), "E9": (51.5420, -0.0420), "E14": (51.5080, -0.0180), "E15": (51.5410, 0.0000),
    "E17": (51.5860, -0.0200), "N1": (51.5380, -0.0980), "N4": (51.5700, -0.1030), "N5": (51.5530, -0.0980),
    "N7": (51.5530, -0.1170), "N16": (51.5610, -0.0780), "N19": (51.5650, -0.1300), "NW1": (51.5350, -0.1450),
    "NW3": (51.5530, -0.1700), "NW5": (51.5540, -0.1410), "NW6": (51.5420, -0.1980), "NW8": (51.5320, -0.1710),
    "NW10": (51.5410, -0.2450), "W1": (51.5150, -0.1420), "W2": (51.5150, -0.1800), "W6": (51.4930, -0.2280),
    "W8": (51.5010, -0.1930), "W9": (51.5270, -0.1930), "W10": (51.5230, -0.2130), "W11": (51.5130, -0.2030),
    "W12": (51.5080, -0.2330), "SW1": (51.4970, -0.1370), "SW3": (51.4900, -0.1680), "SW4": (51.4610, -0.1380),
    "SW5": (51.4900, -0.1900), "SW6": (51.4740, -0.2000), "SW8": (51.4760, -0.1270), "SW9": (51.4690, -0.1120),
    "SW11": (51.4640, -0.1630), "SW17": (51.4300, -0.1650), "SW18": (51.4500, -0.1900), "SW19": (51.4210, -0.2070),
    "SE1": (51.4980, -0.0900), "SE5": (51.4740, -0.0910), "SE8": (51.4800, -0.0290), "SE10": (51.4800, -0.0000),
    "SE11": (51.4890, -0.1100), "SE15": (51.4700, -0.0650), "SE16": (51.4960, -0.0530), "SE22": (51.4560, -0.0720),
}

OUTWARD = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def outward_code(postcode: str) -> str:
    """'sw1a 1aa' -> 'SW1A'; '' when it does not look like a UK postcode."""
    compact = re.sub(r"\s+", "", (postcode or "").upper())
    if len(compact) > 4 and compact[-3:-2].isdigit():
        compact = compact[:-3]  # drop the inward code
    match = OUTWARD.match(compact)
    return match.group(1) if match and match.group(1) == compact else ""


UNKNOWN_AREA = "We only know London postcodes so far, e.g. SW1A 1AA or E14, so we cannot estimate a delivery there."


def estimate_refusal(postcode: str) -> str | None:
    """Why the mall cannot estimate (so cannot deliver to) this postcode, or None when it can.

    The drop page's estimator and checkout both ask this one question.
    """
    if not (postcode or "").strip():
        return "Enter the postcode."
    return UNKNOWN_AREA if postcode_point(postcode) is None else None


def postcode_point(postcode: str) -> tuple[float, float] | None:
    """The centre of a London postcode district from the built-in table, or None when unknown."""
    code = outward_code(postcode)
    while code:
        if code in LONDON_OUTWARD_CODES:
            return LONDON_OUTWARD_CODES[code]
        code = code[:-1] if code[-1].isalpha() else ""  # SW1A -> SW1
    return None
