"""Venue records: what the core is handed about each market (URLs, limits, codes, families).

``usdm`` is Binance USDⓈ-M futures, ``spot`` Binance Spot (each one's endpoint tables are
its modules). ``binance`` holds what every Binance venue shares (the common error codes, the
time answer).
"""
