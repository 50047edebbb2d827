"""The tags that replace template loops and URL reversals on every page (issue 13: server CPU per
request) give exactly what the Django markup they replace gave."""

from __future__ import annotations

from typing import Any

import pytest


def _render(text: str, **context: Any) -> str:
    from django.template import engines

    return str(engines["django"].from_string(text).render(context))


def test_cached_url_is_url(web: Any) -> None:
    from django.urls import NoReverseMatch

    for args in ("'web:home'", "'web:trial' '001'", "'web:subject' '001' 'A&B 1'"):
        assert _render(f"{{% cached_url {args} %}}") == _render(f"{{% url {args} %}}")
        assert _render(f"{{% cached_url {args} %}}") == _render(f"{{% cached_url {args} %}}")
    assert _render("{% cached_url 'web:trial' t as u %}[{{ u }}]", t="002") == "[/t/002/]"
    assert _render("{% cached_url 'web:nothing' as u %}[{{ u }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        _render("{% cached_url 'web:nothing' %}")


def test_options_are_the_loop_they_replace(web: Any) -> None:
    loop = (
        '{% for s in values %}<option value="{{ s }}" {% if s == chosen %}selected{% endif %}>'
        "{{ s|lower|capfirst }}</option>{% endfor %}"
    )
    for values, chosen in (
        (["PRESENT", "ABSENT", "<B&>"], "ABSENT"),
        (["CT SCAN", "MRI"], None),
        ([], ""),
    ):
        expected = _render(loop, values=values, chosen=chosen)
        assert _render('{% options values chosen "word" %}', values=values, chosen=chosen) == (
            expected
        )
        plain = _render(loop.replace("|lower|capfirst", ""), values=values, chosen=chosen)
        assert _render("{% options values chosen %}", values=values, chosen=chosen) == plain
    datalist = '{% for l in values %}<option value="{{ l }}">{% endfor %}'
    assert _render("{% value_options values %}", values=["LUNG", "A&B"]) == _render(
        datalist, values=["LUNG", "A&B"]
    )
