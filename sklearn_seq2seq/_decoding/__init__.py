"""Decoding: greedy and beam search as compiled, batched TensorFlow.

``greedy`` decodes greedily and scores with teacher forcing; ``beam`` keeps
``beam_width`` hypotheses per row; ``predictor`` is the one object every
prediction of a fitted model goes through.
"""
