"""A webcam snapshot wherever a photo can be uploaded, with the upload as the fallback.

`st.camera_input` gives the snapshot as an uploaded JPEG file, so it goes through the same
decoding and checks as an upload. Browsers allow the camera only on pages served from this
computer (localhost) or over HTTPS: the switch's help and the caption under the camera say so.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from cnnviz.ui.language import t


def webcam_switch(key: str, on_change=None, args: tuple = ()) -> bool:
    """The "Use the webcam" switch: True shows the camera in place of the uploader."""
    return st.toggle(
        t("share.camera.use"), key=key, help=t("share.camera.help"), on_change=on_change, args=args
    )


def snapshot(key: str, on_change=None, args: tuple = ()) -> UploadedFile | None:
    """The webcam and its latest snapshot (a JPEG file, like an upload), with the caption
    that says where browsers allow the camera."""
    photo = st.camera_input(t("share.camera.take"), key=key, on_change=on_change, args=args)
    st.caption(t("share.camera.caption"))
    return photo
