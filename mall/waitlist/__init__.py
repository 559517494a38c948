"""The waitlist for units that come back: shoppers who found an item all held or sold out get them first, in turn."""
