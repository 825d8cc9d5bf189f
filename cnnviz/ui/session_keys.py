"""Session-state keys that one page writes and another reads, named once.

Widget keys carry their page's name (`convolution_strides`) and stay on their page; these are
the keys that cross pages.
"""

# The Convolution page's feature map, offered as the Pooling page's input: a `FeatureMap`.
CONVOLUTION_FEATURE_MAP = "convolution_feature_map"
# The network assembled on the Architecture page (`CNNConfig.to_dict()`), offered for training.
ARCHITECTURE_CONFIG = "architecture_config"
# A run the Training page just saved: compare it and look at it closely.
NEW_RUN = "training_new_run"
# This browser session's owner token (`training_runs.session_owner`): its runs are its own.
OWNER_TOKEN = "owner_token"
# Set when a run starts: its "Replace it" answer is not carried over to the next run.
REPLACE_ASKED_AGAIN = "training_replace_asked_again"
# The learner's own classes for transfer learning (`transfer_own.OwnForm`): their names and
# images, kept in this session only.
OWN_CLASSES = "transfer_own_classes"
