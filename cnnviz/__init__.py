"""cnnviz: how computers see, and how convolutional networks work, as an interactive app.

The packages follow the lecture ("CNN and Regularization Techniques with TensorFlow and Keras"):

- `images`: an image as a grid of numbers; uploads decoded safely; digits made MNIST-style.
- `datasets`: the bundled MNIST sample, full MNIST and Fashion-MNIST, offline first.
- `convolution`: kernels, convolution and cross-correlation, pooling, windows and sizes.
- `network`: a CNN's config, layers, parameters and memory, and its arithmetic by hand.
- `training`: training settings, presets, progress events, saved runs, a run as a Keras script.
- `plots`: arrays to figures, with the colour scales defined once.
- `exports`: what the pages show as files: arrays as CSV and as PNG in the pages' colours.
- `engine`: the model engine process; `engine/keras_side` is the only code importing TensorFlow,
  `engine/ray_side` the optional backend on a Ray cluster.
- `deploy`: several app servers behind HAProxy on one machine: the plan and its configuration.
- `ui`: the only Streamlit code: widgets, cached loaders, the engine as the pages see it.
- `train`: the command line, `python -m cnnviz.train`.

Shared by all: `validation` (one module of argument checks), `locations` (where files are) and
`formatting` (numbers as learners read them). Pages import `ui` and the core; the core imports
neither `ui`, the engine, Streamlit nor TensorFlow (`tests/test_package_layout.py`).
"""
