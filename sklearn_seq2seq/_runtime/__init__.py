"""The runtime around TensorFlow and the private APIs the package relies on.

``startup`` imports TensorFlow quietly; ``threads`` sizes its thread pools
to this process's share of the cores; ``private_api`` lists, in one place,
the private scikit-learn and Keras APIs used.
"""
