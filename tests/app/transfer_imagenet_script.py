"""A page with only the VGG16 and ImageNet sections, for `test_transfer_imagenet.py` (not a
lesson page)."""

from cnnviz import ui

ui.vgg16_section()
ui.imagenet_section()
