"""A page with the own-classes form and VGG16's features of those photos, for
`test_transfer_photos.py` (not a lesson page)."""

from cnnviz import ui

if ui.own_classes_form() is not None:
    ui.vgg16_photo_features()
