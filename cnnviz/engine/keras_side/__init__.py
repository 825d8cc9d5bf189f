"""The only code of cnnviz that imports TensorFlow and Keras; it runs in the engine's processes.

- `build`: a `CNNConfig` as a `keras.Sequential`, layer for layer as `network.layers` lists it.
- `extract`: every layer's output for an image from one compiled pass (`LayerActivation`s).
- `attribute`: activation maximisation, Grad-CAM, saliency and SmoothGrad.
- `fit`: train a config, reporting typed progress events, stoppable within a batch.
- `save`: save and load runs atomically (`.keras`, `.weights.h5`, manifest).
- `training_job`: the engine's "train" job: fit, save, report the outcome.
- `recovery`: the "recover" job: save the completed epochs of a training job that died.
- `transfer_job`: the "transfer" job (each way of reusing a network on a new task) and
  "save-transfer" (one of its trained networks saved as a run).
- `imagenet`: VGG16 with ImageNet weights from the Keras cache: top-5 classes, features.
- `store`: the engine's models in memory, each served by a traced forward pass.

Nothing is imported here, so importing this package loads no TensorFlow by itself.
"""
