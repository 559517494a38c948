"""What already happened in the demo mall: shoppers, their orders in past drops, parcels, support threads,
a creator's links and clicks. mall/demo/history.py plays it through the mall's own services."""

# key, name, email, postcode, pickup point code ("" for delivery), delivery address
SHOPPERS = {
    "ada": ("Ada Whitfield", "ada.whitfield@example.com", "N1 9GU", "PU-KINGS-CROSS", ""),
    "ben": ("Ben Osei", "ben.osei@example.com", "E8 3RH", "", "41 Mare Street, London"),
    "chloe": ("Chloe Martin", "chloe.martin@example.com", "SW9 8PR", "PU-BRIXTON", ""),
    "dev": ("Dev Patel", "dev.patel@example.com", "EC2A 3EH", "", "9 Rivington Street, London"),
    "eli": ("Eli Novak", "eli.novak@example.com", "NW1 8AH", "", "22 Castlehaven Road, London"),
    "fatima": ("Fatima Haddad", "fatima.haddad@example.com", "E14 8RR", "", "3 Westferry Circus, London"),
    "grace": ("Grace Lindqvist", "grace.lindqvist@example.com", "SE1 7PB", "PU-KINGS-CROSS", ""),
    "hiro": ("Hiro Tanaka", "hiro.tanaka@example.com", "N7 9AA", "", "15 Holloway Road, London"),
}

# What became of an order's parcels:
#   on_time   picked, packed and handed over before the committed ETA
#   late      handed over after the committed ETA
#   ready     packed and waiting at the pickup point (or with the courier)
#   waiting   still on the hub's picking list
#   cancelled every line cancelled before hand-over; "part_cancelled" cancels the last line, the rest on time
ON_TIME, LATE, READY, WAITING, CANCELLED, PART_CANCELLED = (
    "on_time", "late", "ready", "waiting", "cancelled", "part_cancelled",
)

# Past drop title -> orders: (shopper, [(sku, units)], minute of the drop it was placed in, outcome, via creator link)
PAST_ORDERS = {
    "Winter Guji release": [
        ("ada", [("NBC-GUJI-250", 2)], 2, ON_TIME, True),
        ("ben", [("NBC-GUJI-1K", 1), ("NBC-GUJI-250", 1)], 5, LATE, True),
        ("chloe", [("NBC-GUJI-1K", 2)], 9, ON_TIME, False),
        ("dev", [("NBC-GUJI-250", 1)], 24, ON_TIME, True),
        ("eli", [("NBC-GUJI-1K", 1)], 41, LATE, False),
        ("fatima", [("NBC-GUJI-250", 2)], 75, ON_TIME, False),
    ],
    "Shade sample sale": [
        ("grace", [("LUM-SHADE-S", 1), ("LUM-SHADE-L", 1)], 3, PART_CANCELLED, False),
        ("hiro", [("LUM-SHADE-L", 2)], 14, CANCELLED, False),
        ("ada", [("LUM-SHADE-S", 1)], 31, ON_TIME, False),
        ("ben", [("LUM-SHADE-S", 2), ("LUM-SHADE-L", 1)], 52, LATE, False),
    ],
    "Robe restock": [
        ("chloe", [("TWS-ROBE", 1)], 1, ON_TIME, False),
        ("dev", [("TWS-ROBE", 1)], 2, ON_TIME, False),
        ("eli", [("TWS-ROBE", 1)], 4, LATE, False),
        ("fatima", [("TWS-ROBE", 1)], 7, ON_TIME, False),
        ("grace", [("TWS-ROBE", 1)], 12, LATE, False),
    ],
    "First firing of the year": [
        ("hiro", [("KNC-VASE3", 2)], 6, ON_TIME, False),
        ("ada", [("KNC-VASE3", 1)], 18, LATE, False),
        ("chloe", [("KNC-VASE3", 1)], 44, READY, False),
    ],
    "Notebook week": [
        ("chloe", [("PCP-NOTE3", 3)], 10, ON_TIME, False),
        ("dev", [("PCP-NOTE3", 1)], 35, ON_TIME, False),
        ("eli", [("PCP-NOTE3", 2)], 95, LATE, False),
    ],
    "Gift box pre-order": [
        ("fatima", [("EMB-GIFT", 2)], 3, WAITING, False),
        ("grace", [("EMB-GIFT", 1)], 8, ON_TIME, False),
        ("hiro", [("EMB-GIFT", 2)], 21, READY, False),
    ],
}

# The past heroes that sold out: all their units sit at one micro-hub, exactly as many as the orders above buy.
SOLD_OUT_HUB = "MH-SHOREDITCH"

# Support threads, all at the first brand (its support login works them). State names are the inbox's:
# open (the brand's turn), pending (waiting on the shopper), snoozed, resolved.
# (order: (past drop, order index) or None for the contact form, shopper key, subject or "" for the order's own,
#  topic, hours ago it was opened, [(who, text)], final state)
THREADS = [
    (("Winter Guji release", 1), "ben", "", "order",
     30, [("shopper", "My parcel was due yesterday evening and has not arrived. Any news?"),
          ("brand", "Sorry {shopper_name}, the courier ran late on your street. It is out for delivery this morning."),
          ("shopper", "It arrived, thank you!")], "resolved"),
    (("Winter Guji release", 2), "chloe", "", "lines",
     7, [("shopper", "Could I swap one 1 kg bag for two 250 g bags?"),
         ("brand", "We can, {shopper_name}: reply with yes and we will swap them before you collect.")], "pending"),
    (("Winter Guji release", 4), "eli", "", "lines",
     5, [("shopper", "Tracking says delivered but nothing is at my door. Can you check?")], "open"),
    (("Winter Guji release", 5), "fatima", "", "order",
     26, [("shopper", "Do you have a roast date for the next Guji batch?"),
          ("brand", "Next Monday, {shopper_name}. I will check back with you when it is bagged.")], "snoozed"),
    (None, "dev", "Wholesale for our office?", "general",
     3, [("shopper", "We get through 5 kg a week at the studio. Do you do wholesale pricing?")], "open"),
]

# The demo creator's programme: brand slug -> what happened to the application.
CREATOR_BRANDS = {"northbound-coffee": "approved", "lumen-and-co": "approved", "papercut-press": "applied"}
CREATOR_COMMISSION_BP, CREATOR_WINDOW_HOURS = 1000, 72

# Links: (brand slug, drop title or "" for the brand page, code, clicks in the hours after the drop opened)
CREATOR_LINKS = [
    ("northbound-coffee", "Winter Guji release", "casey-guji", (14, 9, 5, 3, 2)),
    ("northbound-coffee", "", "casey-northbound", (4, 2, 1)),
    ("lumen-and-co", "Arc lamp drop", "casey-arc", ()),
]
