"""Venue records: what the core is handed about each market (URLs, limits, codes, families).

``usdm`` is Binance USDⓈ-M futures (its endpoint tables are its modules). ``binance``
holds what every Binance venue shares (the common error codes).
"""
