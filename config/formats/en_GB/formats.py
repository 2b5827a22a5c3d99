# Waymark's one British format for dates and times, on every page, message and PDF:
# "1 December 2026" and "1 December 2026, 14:05". Django's own en-GB formats mix "1 Dec
# 2026" and "01/12/2026"; these replace them. Machine-readable files (CSV, JSON) keep ISO.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
# Typed dates keep Django's en-GB input formats (day first, "14/03/2026").
