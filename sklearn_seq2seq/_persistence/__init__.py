"""Model files and serving: the safe archive format and SavedModel export.

``archive`` writes and reads the zip file (JSON metadata and a Keras model,
no pickle); ``serving`` exports the decoder as a TensorFlow SavedModel.
Nothing here imports the estimator: the public ``load`` builds one.
"""
