"""Benchmark page: the same prediction with Keras inside the Streamlit process (the baseline).

This is what cnnviz does NOT do: after every rerun Streamlit clears the Keras session.
"""

import streamlit as st

from cnnviz import ui


@st.cache_resource
def compiled_model():
    import keras
    import tensorflow as tf

    from cnnviz.training.runs import default_catalog

    model = keras.saving.load_model(default_catalog().find("lecture"), safe_mode=True)
    return tf.function(lambda x: model(x, training=False))


index = st.number_input("Digit", 0, 1999, 0, key="bench_index")
digit = ui.cached_dataset("mnist-sample").x_test[int(index)] / 255.0
probabilities = compiled_model()(digit[None, :, :, None].astype("float32")).numpy()[0]
st.bar_chart(probabilities)
