# English pages keep the Vietnamese date order (dd/mm/yyyy) and 24-hour clock used by every
# document; only the number separators follow English usage.
from chihuy.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
