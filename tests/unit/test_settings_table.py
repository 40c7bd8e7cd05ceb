"""The settings table (attention.settings_table): one mapping between the settings' names (session keys, link
parameters, flags) and the library's dataclass fields, and each control's label and explanation written once."""

from __future__ import annotations

from dataclasses import fields

import pytest

from attention.heatmap import DISPLAY_FIELDS
from attention.i18n import text
from attention.options import FigureOptions, Projection, Settings
from attention.settings_table import (
    FIELDS,
    OPTIONS_ATTRIBUTES,
    PROJECTION_ATTRIBUTES,
    SETTINGS_ATTRIBUTES,
    figure_options_from,
    settings_from,
    values_of,
)


@pytest.mark.parametrize(
    ("attributes", "dataclass"),
    [(SETTINGS_ATTRIBUTES, Settings), (PROJECTION_ATTRIBUTES, Projection), (OPTIONS_ATTRIBUTES, FigureOptions)],
)
def test_every_mapped_setting_is_a_setting_and_every_field_a_field(attributes, dataclass):
    assert set(attributes) <= set(FIELDS)
    assert set(attributes.values()) <= {field.name for field in fields(dataclass)}
    assert len(set(attributes.values())) == len(attributes)  # one setting per field


def test_the_mapping_reads_both_ways():
    settings = Settings(
        show_special=True,
        merge_words=True,
        scale_by_sqrt_dk=False,
        temperature=0.5,
        causal=True,
        projection=Projection("random", layer=3, head=2, d_k=16, seed=7),
        vector_layer=4,
    )
    options = FigureOptions(show_values=True, transpose=True, n_components=3, components="pca", colorscale="Viridis")
    values = values_of(settings, options)
    assert values["scale"] is False and values["random_dk"] == 16 and values["colors"] == "Viridis"
    assert settings_from(values) == settings
    assert figure_options_from(values) == options
    assert settings_from({}) == Settings() and figure_options_from({}) == FigureOptions()  # the defaults agree


def test_a_given_projection_is_kept_as_given():
    projection = Projection("head", layer=5, head=1)
    assert settings_from({"random_dk": 8, "projection": "random"}, projection).projection is projection


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_live_control_has_its_label_once_in_both_languages(lang):
    for name in DISPLAY_FIELDS:
        assert FIELDS[name].label, name
        assert text(FIELDS[name].label, lang)
        if FIELDS[name].explain:
            assert text(FIELDS[name].explain, lang)
