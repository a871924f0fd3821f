"""Reading input: user sequences to integer ids and back.

``sequences`` reads what users pass (2-D arrays, strings, token lists) into
padded id grids and back into the user's kind; ``vocabulary`` maps tokens to
ids; ``codec`` is the fitted layout of both sides (the end symbol, the
decoder input, the cut at the end); ``sources`` validates and reads ``X``
as ``fit`` and ``predict`` do.
"""
