"""What the demo mall holds: brands, their products, the shared hubs and a spread of drops."""

from datetime import time, timedelta

PASSWORD = "flashmall-demo"

# slug, name, colour, tagline, owner name, returns, warranty, cancellation, cancel window (min)
BRANDS = [
    ("northbound-coffee", "Northbound Coffee", "#7c2d12", "Small-lot roasts, shipped the week they are roasted.",
     "Maya Okafor",
     "Unopened bags can be returned within 14 days for a full refund.",
     "Grinders carry a 2-year warranty on burrs and bearings.",
     "Cancel free of charge until your order leaves the hub.", 30),
    ("lumen-and-co", "Lumen & Co.", "#ca8a04", "Lamps made to be left on.",
     "Theo Marsh",
     "Return any lamp within 30 days in its original box.",
     "5 years on wiring and switches; bulbs are covered for 1 year.",
     "Cancel within 60 minutes of ordering, no questions asked.", 60),
    ("tidewater-swim", "Tidewater Swim", "#0e7490", "Swimwear cut from recycled fishing nets.",
     "Priya Raman",
     "Unworn swimwear with the hygiene strip intact can be returned within 21 days.",
     "Seams are guaranteed for 12 months of salt and chlorine.",
     "Cancel within 30 minutes of ordering.", 30),
    ("fernhill-botanics", "Fernhill Botanics", "#15803d", "Houseplants that arrive happy.",
     "Sam Whitlock",
     "If a plant arrives damaged, send a photo within 48 hours and we replace it.",
     "Planters carry a 1-year warranty against cracks and leaks.",
     "Cancel within 15 minutes: plants are packed fast.", 15),
    ("kiln-and-clay", "Kiln & Clay", "#be185d", "Stoneware thrown by hand in Hackney.",
     "Ines Duarte",
     "Returns within 14 days; each piece is one of a kind, so exchanges depend on the kiln.",
     "Anything that cracks in normal use within a year is replaced.",
     "Cancel within 30 minutes of ordering.", 30),
    ("runwild", "Runwild", "#1d4ed8", "Trail shoes for city runners.",
     "Jonah Berg",
     "Run in them for 30 days; if they are not right, send them back.",
     "Sole delamination is covered for 12 months.",
     "Cancel any time before dispatch.", 45),
    ("papercut-press", "Papercut Press", "#6d28d9", "Risograph prints in tiny editions.",
     "Lena Fischer",
     "Prints can be returned within 14 days if they arrive creased.",
     "Not applicable to paper goods; damaged items are reprinted.",
     "Cancel within 20 minutes of ordering.", 20),
    ("ember-kitchen", "Ember Kitchen", "#dc2626", "Hot sauces and spice mixes, small batch.",
     "Kofi Mensah",
     "Food cannot be returned once opened; unopened within 14 days.",
     "Best before dates are at least 9 months from dispatch.",
     "Cancel within 30 minutes of ordering.", 30),
]

# brand slug -> [(product name, description, [(sku, variant name, price in pence)])]
PRODUCTS = {
    "northbound-coffee": [
        ("Ethiopia Guji Natural", "Blueberry, jasmine and cocoa. Roasted on Mondays.",
         [("NBC-GUJI-250", "250 g", 1450), ("NBC-GUJI-1K", "1 kg", 4800)]),
        ("Hand grinder Mk II", "Steel conical burrs, 40 clicks, fits in a bag.", [("NBC-GRIND-2", "", 8900)]),
        ("Ceramic pour-over set", "Dripper, server and two cups.",
         [("NBC-POUR-WHT", "White", 3800), ("NBC-POUR-SLT", "Slate", 3800)]),
    ],
    "lumen-and-co": [
        ("Arc desk lamp", "A spun-metal shade on a balanced arm.",
         [("LUM-ARC-BRS", "Brass", 14900), ("LUM-ARC-BLK", "Black", 13900)]),
        ("Pebble bedside light", "Touch-dimmable, warm white.", [("LUM-PEBBLE", "", 5900)]),
        ("Linen shade", "Natural linen on a recycled steel frame.",
         [("LUM-SHADE-S", "Small", 2900), ("LUM-SHADE-L", "Large", 3900)]),
    ],
    "tidewater-swim": [
        ("Harbour swim shorts", "Quick-dry, with a zip pocket for a key.",
         [("TWS-HARB-S", "S", 4500), ("TWS-HARB-M", "M", 4500), ("TWS-HARB-L", "L", 4500)]),
        ("Cove one-piece", "Scoop back, fully lined.", [("TWS-COVE-8", "UK 8", 7800), ("TWS-COVE-12", "UK 12", 7800)]),
        ("Changing robe", "Fleece-lined, windproof.", [("TWS-ROBE", "One size", 11000)]),
    ],
    "fernhill-botanics": [
        ("Monstera starter kit", "A rooted cutting, pot and soil mix.", [("FHB-MONST", "", 3200)]),
        ("Self-watering planter", "Two weeks between waterings.",
         [("FHB-PLANT-S", "Small", 2400), ("FHB-PLANT-L", "Large", 3600)]),
    ],
    "kiln-and-clay": [
        ("Speckled mug", "12 oz, dishwasher safe.", [("KNC-MUG", "", 2200)]),
        ("Serving bowl", "Wide and shallow, for salads and sharing.",
         [("KNC-BOWL-M", "Medium", 4800), ("KNC-BOWL-L", "Large", 6400)]),
        ("Bud vase trio", "Three small vases in glaze offcuts.", [("KNC-VASE3", "", 3500)]),
    ],
    "runwild": [
        ("Ridgeline trail shoe", "Grippy lugs, road-soft midsole.",
         [("RUN-RIDGE-7", "UK 7", 12000), ("RUN-RIDGE-9", "UK 9", 12000), ("RUN-RIDGE-11", "UK 11", 12000)]),
        ("Merino running tee", "Doesn't smell after a week of runs.",
         [("RUN-TEE-M", "M", 5500), ("RUN-TEE-L", "L", 5500)]),
    ],
    "papercut-press": [
        ("City lights riso print", "A3, three colours, edition of 50.", [("PCP-CITY-A3", "A3", 3000)]),
        ("Dot-grid notebook set", "Three A5 notebooks, lay-flat binding.", [("PCP-NOTE3", "", 1800)]),
        ("Printed tote", "Heavy canvas, screen printed.", [("PCP-TOTE", "", 1600)]),
    ],
    "ember-kitchen": [
        ("Smoked chipotle sauce", "Medium heat, deep smoke.",
         [("EMB-CHIP-1", "1 bottle", 850), ("EMB-CHIP-3", "3-pack", 2200)]),
        ("Spice gift box", "Four rubs and a recipe card.", [("EMB-GIFT", "", 3400)]),
    ],
}

# code, name, kind, address, latitude, longitude, throughput/hour, opens, closes
HUBS = [
    ("RSV-DAGENHAM", "Dagenham Central Reserve", "central_reserve", "Unit 4, Chequers Lane, Dagenham RM9 6PR",
     51.5264, 0.1439, 1200, time(6, 0), time(23, 0)),
    ("PU-KINGS-CROSS", "King's Cross Pickup", "pickup_point", "Pancras Square, London N1C 4AG",
     51.5343, -0.1255, 120, time(7, 0), time(22, 0)),
    ("PU-BRIXTON", "Brixton Village Pickup", "pickup_point", "Coldharbour Lane, London SW9 8PR",
     51.4622, -0.1128, 90, time(8, 0), time(21, 0)),
    ("MH-SHOREDITCH", "Shoreditch Micro-hub", "micro_hub", "Great Eastern Street, London EC2A 3EH",
     51.5246, -0.0803, 300, time(7, 0), time(23, 0)),
    ("MH-CAMDEN", "Camden Micro-hub", "micro_hub", "Chalk Farm Road, London NW1 8AH",
     51.5416, -0.1466, 250, time(7, 0), time(22, 0)),
    ("MH-CANARY-WHARF", "Canary Wharf Micro-hub", "micro_hub", "Westferry Circus, London E14 8RR",
     51.5054, -0.0235, 280, time(6, 30), time(22, 30)),
]

STEEP = ((0, 20, 30), (20, None, 15))
GENTLE = ((0, 30, 20), (30, None, 10))
FLASH = ((0, 15, 40), (15, None, 20))
M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# brand slug, title, hero product, start relative to now, length, tiers, hold minutes, per-shopper limit
DROPS = [
    ("northbound-coffee", "Winter Guji release", "Ethiopia Guji Natural", -9 * D, 6 * H, STEEP, 10, 2),
    ("lumen-and-co", "Shade sample sale", "Linen shade", -6 * D, 4 * H, GENTLE, 10, 3),
    ("tidewater-swim", "Robe restock", "Changing robe", -4 * D, 3 * H, FLASH, 8, 1),
    ("kiln-and-clay", "First firing of the year", "Bud vase trio", -3 * D, 5 * H, STEEP, 10, 2),
    ("papercut-press", "Notebook week", "Dot-grid notebook set", -2 * D, 8 * H, GENTLE, 15, 4),
    ("ember-kitchen", "Gift box pre-order", "Spice gift box", -1 * D, 2 * H, FLASH, 10, 2),
    ("northbound-coffee", "Grinder flash", "Hand grinder Mk II", -12 * M, 2 * H, STEEP, 10, 1),
    ("lumen-and-co", "Arc lamp drop", "Arc desk lamp", -35 * M, 3 * H, STEEP, 12, 1),
    ("tidewater-swim", "Harbour shorts summer drop", "Harbour swim shorts", -5 * M, 90 * M, FLASH, 8, 2),
    ("fernhill-botanics", "Monstera Monday", "Monstera starter kit", -25 * M, 4 * H, GENTLE, 10, 2),
    ("runwild", "Ridgeline launch", "Ridgeline trail shoe", -50 * M, 6 * H, STEEP, 10, 1),
    ("ember-kitchen", "Chipotle batch #12", "Smoked chipotle sauce", -15 * M, 2 * H, FLASH, 10, 3),
    ("northbound-coffee", "Pour-over set drop", "Ceramic pour-over set", 6 * M, 2 * H, STEEP, 10, 2),
    ("kiln-and-clay", "Mug Monday", "Speckled mug", 18 * M, 3 * H, GENTLE, 10, 4),
    ("papercut-press", "City lights edition", "City lights riso print", 45 * M, 2 * H, FLASH, 10, 1),
    ("fernhill-botanics", "Planter restock", "Self-watering planter", 3 * H, 4 * H, GENTLE, 10, 2),
    ("runwild", "Merino tee drop", "Merino running tee", 1 * D, 5 * H, STEEP, 10, 2),
    ("lumen-and-co", "Pebble light preview", "Pebble bedside light", 2 * D, 3 * H, FLASH, 10, 2),
    ("tidewater-swim", "Cove one-piece launch", "Cove one-piece", 3 * D, 6 * H, STEEP, 10, 1),
    ("kiln-and-clay", "Serving bowl drop", "Serving bowl", 6 * D, 4 * H, GENTLE, 15, 2),
]

# Heroes of past drops that sold every unit (their stock is just what the orders of mall/demo/stories.py buy);
# the other past heroes sold some of theirs.
SOLD_OUT = {"Ethiopia Guji Natural", "Changing robe", "Spice gift box"}
