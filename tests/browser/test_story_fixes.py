"""Regression tests for the small bugs found while walking through the stories (no browser)."""

import re

from django import forms
from django.template.loader import render_to_string


class _HelpedForm(forms.Form):
    file = forms.FileField(label="File", help_text="A CSV file.")


def test_form_help_text_is_the_element_the_field_is_described_by():
    html = render_to_string("partials/form.html", {"form": _HelpedForm()})
    described_by = re.search(r'aria-describedby="([^"]+)"', html).group(1)
    assert f'id="{described_by}"' in html
    assert re.search(rf'<p class="help" id="{described_by}">A CSV file.</p>', html)
