"""Response models: frozen attrs records built by ``from_payload``, amounts as Decimal, times as
integers of milliseconds named ``*_ms``. Each keeps the raw payload (``raw``) for the fields it
does not model.

``orders`` (orders, algo orders, user trades), ``account`` (balances, positions, income,
account settings), ``market`` (klines, trades, tickers, funding, depth), ``exchange`` (symbol
rules). ``from_payload`` refuses an answer that is not the model's (a missing field, a wrong
type: ``KeyError``, ``TypeError``, ``ValueError`` or ``ArithmeticError``); the gateway turns
that into ``MalformedAnswer``.
"""
