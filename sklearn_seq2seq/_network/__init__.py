"""The network: Keras layers and models, and their plain-TensorFlow twin.

``layers`` holds the Keras layers and the layer-name contract; ``model``
builds the training model and the inference encoder and decoder; ``ops``
reads the trained weights into plain TensorFlow functions that the decoders
compile.
"""
