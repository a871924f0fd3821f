"""Keras side: the training model and the inference encoder and decoder.

Three models share one set of layers, as in the origin tutorial:

* training model: ``[source ids, shifted target ids] -> target logits``
  (teacher forcing);
* inference encoder: ``source ids -> [encoder outputs (attention only),
  decoder initial states...]``;
* inference decoder: ``[previous token id, states..., (encoder outputs,
  source ids: attention only)] -> [probabilities, states...]``.

The default is the tutorial's model: one-hot inputs, one LSTM layer in the
encoder and in the decoder, the encoder's final ``[h, c]`` as the
decoder's initial state.  Options (all Keras layers):

* ``cell="gru"``: GRU layers (state ``[h]``) instead of LSTMs;
* ``n_layers``: stacked encoder and decoder; decoder layer ``l`` starts
  from encoder layer ``l``'s final states;
* ``bidirectional``: every encoder layer reads both ways; a ``Dense``
  bridge per layer and state maps the concatenated forward and backward
  states to the decoder's width (``tanh`` for ``h``, linear for ``c``);
* ``attention``: after the top decoder layer, ``"luong"`` scores
  ``h_t^T W_a h_s`` (Luong et al. 2015, "general"; ``keras.layers.Attention``
  after a bias-free ``Dense``), ``"bahdanau"`` scores ``v^T tanh(W_1 h_s +
  W_2 h_t)`` (Bahdanau et al. 2015's additive score,
  ``keras.layers.AdditiveAttention``); the context and ``h_t`` give the
  attentional state ``tanh(W_c [context; h_t])`` that feeds the output
  layer (Luong's placement, so the recurrent layers stay plain Keras
  layers, cuDNN-eligible and trained in parallel over time);
* ``embedding_dim``: learned ``keras.layers.Embedding`` inputs instead of
  one-hot;
* ``dropout``: ``keras.layers.Dropout`` on embeddings, between stacked
  layers and before the output layer (training only).

Inputs are integer ids; the one-hot expansion or the embedding lookup
happens inside the graph, so host memory only ever holds ids.  One-hot
inputs much wider than the gates (:func:`~.layers.reads_kernel_rows`) are
read as rows of the first layer's input kernel, held by an ``Embedding``
(:class:`~.layers.IdentityInputKernel`): the same network, without the
``(batch, time, ids)`` one-hot tensors.  For
variable-length data the input layers mask the padding id: the encoder
carries its state unchanged over padding, attention never looks at it, and
the mask reaches the loss through the decoder.  None of the options sets
``recurrent_dropout``, an activation or ``unroll`` on a GPU, so where a GPU
is visible every LSTM and GRU layer stays eligible for the cuDNN kernel
(GRU with Keras's default ``reset_after=True``).  Without a GPU, short
sequences (up to ``UNROLL_MAX_LENGTH`` steps) are unrolled: an unrolled
graph traces and trains faster on a CPU than a ``while_loop``, but holds
every step's activations at once, so longer sequences keep the loop.
The layers and their names are in :mod:`~sklearn_seq2seq._network.layers`.  This
module imports TensorFlow and is only imported once a model is built.

Its pair, :mod:`~sklearn_seq2seq._network.ops`, is the same trained network
as plain TensorFlow ops for the compiled decoders: it reads these layers'
variables instead of calling the layers, so it has no Keras models, masks
or one-hot tensors, and one decoder step takes any leading shape.
"""

import itertools

import keras
import tensorflow as tf

from .._input.vocabulary import PAD_ID
from .layers import (
    ATTENTION,
    ATTENTION_KEYS,
    ATTENTION_OUTPUT,
    ATTENTION_QUERY,
    CELLS,
    LOOKUP_CELLS,
    N_GATES,
    N_STATES,
    OUTPUT_DENSE,
    SOURCE_EMBEDDING,
    TARGET_EMBEDDING,
    OneHot,
    bridge_name,
    count_layers,
    decoder_name,
    encoder_name,
    reads_kernel_rows,
)

UNROLL_MAX_LENGTH = 10


def unrolls(max_length):
    """Whether sequences up to ``max_length`` steps train unrolled here.

    Parameters
    ----------
    max_length : int or None
        Longest source or target sequence; None when unknown.

    Returns
    -------
    unroll : bool
        True on a CPU for ``max_length <= UNROLL_MAX_LENGTH``.  Unrolled
        models need a fixed sequence length per batch.
    """
    short = max_length is not None and max_length <= UNROLL_MAX_LENGTH
    return short and not tf.config.list_physical_devices("GPU")


def is_unrolled(training_model):
    """Whether a training model's recurrent layers are unrolled."""
    encoder = training_model.get_layer(encoder_name(0))
    if isinstance(encoder, keras.layers.Bidirectional):
        encoder = encoder.forward_layer
    return encoder.unroll


def build_training_model(
    *,
    n_source_ids,
    n_target_ids,
    n_classes,
    n_units,
    seed=None,
    max_length=None,
    mask_source=False,
    mask_target=False,
    cell="lstm",
    n_layers=1,
    bidirectional=False,
    attention=None,
    embedding_dim=None,
    dropout=0.0,
):
    """Build the teacher-forcing training model.

    Parameters
    ----------
    n_source_ids : int
        Size of the source vocabulary, reserved ids included.
    n_target_ids : int
        Size of the target vocabulary, reserved ids included (the decoder's
        input side).
    n_classes : int
        Number of output classes (target tokens the softmax ranges over).
    n_units : int
        Units of every recurrent layer (per direction in the encoder).
    seed : int or None, default=None
        Seed of the weight initialisers; ``None`` draws fresh weights.
    max_length : int or None, default=None
        Longest source or target sequence the model will train on; the
        recurrent layers are unrolled when :func:`unrolls` says so.
    mask_source, mask_target : bool, default=False
        Mask the padding id in the sources (variable-length sources) and in
        the decoder input and loss (variable-length targets).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent layer type.
    n_layers : int, default=1
        Stacked layers in the encoder and in the decoder.
    bidirectional : bool, default=False
        Bidirectional encoder layers, bridged to the decoder by ``Dense``.
    attention : {None, "luong", "bahdanau"}, default=None
        Attention over the top encoder layer's outputs.
    embedding_dim : int or None, default=None
        Learned embeddings of this size; None for one-hot inputs.
    dropout : float, default=0.0
        Dropout rate (see the module docstring for where).

    Returns
    -------
    training_model : keras.Model
        ``[source ids, shifted target ids] -> logits`` of shape
        ``(batch, target length, n_classes)``.

    Examples
    --------
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> tuple(model.output.shape)
    (None, None, 6)
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0,
    ...     cell="gru", n_layers=2, bidirectional=True, attention="bahdanau",
    ...     embedding_dim=4, dropout=0.1)
    >>> tuple(model.output.shape)
    (None, None, 6)
    """
    offsets = itertools.count()  # a distinct seed per initialiser, in build order

    def init(kind):
        offset = next(offsets)
        return kind(seed=None if seed is None else seed + offset)

    # Keras's unrolled backward RNN under a mask returns zero outputs for
    # padded rows (its states are right; docs/how_it_works.md), which would
    # hide the source from attention: bidirectional encoders are never unrolled.
    unroll = unrolls(max_length) and not bidirectional

    def recurrent(name, lookup=False, **kwargs):
        if lookup:  # the kernel's rows are the lookup embedding, drawn just before
            layer_class, kernel = LOOKUP_CELLS[cell], keras.initializers.Identity()
        else:
            layer_class, kernel = CELLS[cell], init(keras.initializers.GlorotUniform)
        return layer_class(
            n_units,
            return_state=True,
            return_sequences=True,
            unroll=unroll,
            kernel_initializer=kernel,
            recurrent_initializer=init(keras.initializers.Orthogonal),
            name=name,
            **kwargs,
        )

    def dense(units, name, **kwargs):
        kernel = init(keras.initializers.GlorotUniform)
        return keras.layers.Dense(units, kernel_initializer=kernel, name=name, **kwargs)

    def embed(n_ids, name, mask, lookup=False):
        if embedding_dim is None and not lookup:
            return OneHot(n_ids, mask_padding=mask, name=name)
        # A lookup embedding holds the input kernel, drawn with its seed.
        initializer = init(
            keras.initializers.GlorotUniform if lookup else keras.initializers.RandomUniform
        )
        return keras.layers.Embedding(
            n_ids,
            N_GATES[cell] * n_units if lookup else embedding_dim,
            mask_zero=mask,
            embeddings_initializer=initializer,
            name=name,
        )

    def drop(x):
        return keras.layers.Dropout(dropout, seed=next(offsets))(x) if dropout else x

    source = keras.Input(shape=(None,), dtype="int32", name="source_ids")
    decoder_input = keras.Input(shape=(None,), dtype="int32", name="decoder_input_ids")
    n_states = N_STATES[cell]

    # Bidirectional layers have two input kernels: they keep one-hot inputs.
    source_lookup = embedding_dim is None and not bidirectional
    source_lookup = source_lookup and reads_kernel_rows(n_source_ids, n_units, cell)
    target_lookup = embedding_dim is None and reads_kernel_rows(n_target_ids, n_units, cell)
    x = embed(n_source_ids, SOURCE_EMBEDDING, mask_source, source_lookup)(source)
    if embedding_dim is not None:
        x = drop(x)
    initial_states = []
    for layer in range(n_layers):
        encoder = recurrent(encoder_name(layer), lookup=source_lookup and layer == 0)
        if bidirectional:
            encoder = keras.layers.Bidirectional(encoder, name=encoder_name(layer))
        x, *states = encoder(x)
        if bidirectional:
            forward, backward = states[:n_states], states[n_states:]
            states = [
                dense(n_units, bridge_name(layer, k), activation="tanh" if k == 0 else None)(
                    keras.layers.Concatenate()([forward[k], backward[k]])
                )
                for k in range(n_states)
            ]
        initial_states.append(states)
        if layer < n_layers - 1:
            x = drop(x)
    encoder_outputs = x

    y = embed(n_target_ids, TARGET_EMBEDDING, mask_target, target_lookup)(decoder_input)
    if embedding_dim is not None:
        y = drop(y)
    for layer in range(n_layers):
        decoder = recurrent(decoder_name(layer), lookup=target_lookup and layer == 0)
        y, *_ = decoder(y, initial_state=initial_states[layer])
        if layer < n_layers - 1:
            y = drop(y)
    if attention is not None:
        layers = {
            ATTENTION_QUERY: dense(
                n_units if attention == "bahdanau" else encoder_outputs.shape[-1],
                ATTENTION_QUERY,
                use_bias=False,
            ),
            ATTENTION: {
                "luong": keras.layers.Attention,
                "bahdanau": keras.layers.AdditiveAttention,
            }[attention](name=ATTENTION),
            ATTENTION_OUTPUT: dense(n_units, ATTENTION_OUTPUT, activation="tanh"),
        }
        if attention == "bahdanau":
            layers[ATTENTION_KEYS] = dense(n_units, ATTENTION_KEYS, use_bias=False)
        y = attend(y, encoder_outputs, layers)
    logits = dense(n_classes, OUTPUT_DENSE)(drop(y))
    if attention == "bahdanau":
        # AdditiveAttention draws its v (``scale``) from an unseeded
        # initialiser; reseed it so that random_state fixes every weight.
        scale = layers[ATTENTION].scale
        scale.assign(init(keras.initializers.GlorotUniform)(scale.shape))
    return keras.Model([source, decoder_input], logits, name="seq2seq_training")


def attend(queries, encoder_outputs, layers, source_mask=None):
    """The attentional states ``tanh(W_c [context; h_t])`` of decoder outputs.

    Parameters
    ----------
    queries : KerasTensor of shape (batch, target time, units)
        Top decoder layer outputs.
    encoder_outputs : KerasTensor of shape (batch, source time, width)
        Top encoder layer outputs (their Keras mask marks the padding).
    layers : dict of str to keras.layers.Layer
        The attention layers by name: ``W_a`` (Luong) or ``W_2``
        (Bahdanau) as ``ATTENTION_QUERY``, ``W_1`` as ``ATTENTION_KEYS``
        (Bahdanau only), the score layer as ``ATTENTION`` and ``W_c`` as
        ``ATTENTION_OUTPUT``; shared by the training and inference models.
    source_mask : KerasTensor of shape (batch, source time) or None
        Explicit source mask, for encoder outputs that carry none.

    Returns
    -------
    attentional : KerasTensor of shape (batch, target time, units)
        What the output layer reads.
    """
    inputs = [layers[ATTENTION_QUERY](queries), encoder_outputs]
    if ATTENTION_KEYS in layers:  # Bahdanau: scores from W_1 h_s, context from h_s
        inputs.append(layers[ATTENTION_KEYS](encoder_outputs))
    kwargs = {} if source_mask is None else {"mask": [None, source_mask]}
    context = layers[ATTENTION](inputs, **kwargs)
    return layers[ATTENTION_OUTPUT](keras.layers.Concatenate()([context, queries]))


def build_inference_models(training_model):
    """Wire the inference encoder and decoder from the training model's layers.

    Parameters
    ----------
    training_model : keras.Model
        A model from :func:`build_training_model`.

    Returns
    -------
    encoder_model : keras.Model
        ``source ids -> [encoder outputs (attention only), decoder initial
        states of layer 0, of layer 1, ...]``.
    decoder_model : keras.Model
        ``[previous token id of shape (batch, 1), states..., (encoder
        outputs, source ids: attention only)] -> [probabilities of shape
        (batch, 1, n_classes), states...]``; the source ids give the
        attention its padding mask.

    Examples
    --------
    >>> model = build_training_model(
    ...     n_source_ids=10, n_target_ids=10, n_classes=6, n_units=8, seed=0)
    >>> encoder, decoder = build_inference_models(model)
    >>> [tuple(t.shape) for t in decoder.outputs]
    [(None, 1, 6), (None, 8), (None, 8)]
    """
    layers = {layer.name: layer for layer in training_model.layers}
    n_layers = count_layers(training_model)
    attention = ATTENTION in layers
    states = []
    for layer in range(n_layers):
        encoder = layers[encoder_name(layer)]
        n_states = len(encoder.output) - 1
        if isinstance(encoder, keras.layers.Bidirectional):
            n_states //= 2
            states += [layers[bridge_name(layer, k)].output for k in range(n_states)]
        else:
            states += list(encoder.output[1:])
    encoder_outputs = layers[encoder_name(n_layers - 1)].output[0]
    encoder_model = keras.Model(
        training_model.inputs[0],
        ([encoder_outputs] if attention else []) + states,
        name="seq2seq_encoder",
    )

    previous_token = keras.Input(shape=(1,), dtype="int32", name="previous_token_id")
    state_inputs = [
        keras.Input(shape=(state.shape[-1],), name=f"state_{i}") for i, state in enumerate(states)
    ]
    n_states = len(states) // n_layers
    y = layers[TARGET_EMBEDDING](previous_token)
    new_states = []
    for layer in range(n_layers):
        initial = state_inputs[layer * n_states : (layer + 1) * n_states]
        y, *layer_states = layers[decoder_name(layer)](y, initial_state=initial)
        new_states += layer_states
    inputs = [previous_token, *state_inputs]
    if attention:
        memory = keras.Input(shape=(None, encoder_outputs.shape[-1]), name="encoder_outputs")
        source_ids = keras.Input(shape=(None,), dtype="int32", name="source_ids")
        attention_layers = {
            name: layers[name]
            for name in (ATTENTION_QUERY, ATTENTION_KEYS, ATTENTION, ATTENTION_OUTPUT)
            if name in layers
        }
        y = attend(y, memory, attention_layers, source_mask=keras.ops.not_equal(source_ids, PAD_ID))
        inputs += [memory, source_ids]
    logits = layers[OUTPUT_DENSE](y)
    probabilities = keras.layers.Activation("softmax", name="probabilities")(logits)
    decoder_model = keras.Model(inputs, [probabilities, *new_states], name="seq2seq_decoder")
    return encoder_model, decoder_model
