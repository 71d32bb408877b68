"""Venue records: what the core is handed about each market (URLs, limits, codes, families).

``usdm`` is Binance USDⓈ-M futures; its endpoint table is ``usdm_endpoints``. ``binance``
holds what every Binance venue shares (the common error codes).
"""
