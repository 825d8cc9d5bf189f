"""cnnviz: how computers see and how convolutional networks work, made interactive."""
