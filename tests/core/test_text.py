"""Cleaning what people type (fundtracker.core.text): controls and emoji go, letters of every
language, punctuation and text symbols stay; the forms of project titles apply it."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from fontTools.ttLib import TTFont
from werkzeug.datastructures import MultiDict

from fundtracker.core.text import clean_data, clean_line, clean_text

KAZAKH = "ӘҒҚҢӨҰҮҺІ әғқңөұүһі"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.mark.parametrize("control", list(BIDI_CONTROLS))
def test_every_bidirectional_control_is_removed(control):
    assert clean_line(f"Жоба{control} атауы") == "Жоба атауы"


def test_a_reversed_title_reads_in_logical_order():
    # U+202E would draw what follows right to left: "ауытаа".
    assert clean_line("Оңалту \u202eорталығы\u202c ашу") == "Оңалту орталығы ашу"


def test_invisible_and_control_characters_are_removed():
    dirty = "a\x00b\x07c\x1bd\u200be\u200cf\u200dg\u2060h\ufeffi\U000e0041j\ue000k\x7fl"
    assert clean_text(dirty) == "abcdefghijkl"


def test_tab_newline_and_soft_hyphen_stay_in_text():
    assert clean_text("Бірінші\tжол\r\nекінші\rүшінші\u2028төртінші") == (
        "Бірінші\tжол\nекінші\nүшінші\nтөртінші"
    )
    assert clean_text("реаби\u00adлитация") == "реаби\u00adлитация"


def test_a_line_has_no_line_breaks_or_tabs():
    assert clean_line("  Балалар\n\n  үйі\tжобасы  ") == "Балалар үйі жобасы"


@pytest.mark.parametrize(
    "emoji",
    [
        "😀",  # emoticons
        "🎉",  # pictographs
        "👍🏽",  # with a skin tone
        "👨‍👩‍👧",  # joined by zero-width joiners
        "🇰🇿",  # a flag: regional indicators
        "1️⃣",  # keycap: digit, variation selector, combining keycap
        "⭐",  # emoji presentation in the BMP
        "✅",
        "⚡",
        "🫨",  # Unicode 15, newer than Python's own data
    ],
)
def test_emoji_are_dropped(emoji):
    cleaned = clean_line(f"Жоба {emoji} атауы")
    assert cleaned in ("Жоба атауы", "Жоба 1 атауы")
    assert not any(unicodedata.category(c) in ("So", "Sk", "Cf", "Mn") for c in cleaned)


def test_text_symbols_stay_and_lose_their_emoji_selector():
    assert clean_line("✓ ★ ☎ ₸ № © – … «»") == "✓ ★ ☎ ₸ № © – … «»"
    assert clean_line("☎\ufe0f 8 800") == "☎ 8 800"


def test_letters_of_every_language_stay():
    text = f"{KAZAKH} Ёё Щщ Ææ Çç ß İı Ğğ שלום مرحبا 中文 한국어 ελληνικά"
    assert clean_line(text) == text


def test_decomposed_letters_are_composed():
    # "й" typed as "и" + combining breve: one letter after cleaning.
    assert clean_line("и\u0306") == "й"


def test_what_is_left_of_emoji_text_is_drawn_by_the_reports_font():
    """After cleaning, every character of a text full of emoji is in DejaVu Sans (the reports'
    font): nothing prints as an empty box."""
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True
    ).stdout
    cmap = TTFont(path).getBestCmap()
    dirty = f"{KAZAKH} 🎉 👍🏽 🇰🇿 ⭐ ✅ 🫨 1️⃣ ⌚ ☔ ♈ ⚽ Оңалту ₸ № «»"
    assert all(ord(c) in cmap for c in clean_line(dirty) if c != " ")


def test_none_stays_none():
    assert clean_text(None) is None
    assert clean_line(None) is None


def test_clean_data_cleans_every_string_inside():
    data = {
        "title": "\u202eАтау",
        "projects": [{"title": "Жоба 🎉", "amount": 100, "regions": ("Астана\u200b",)}],
        "when": None,
    }
    assert clean_data(data) == {
        "title": "Атау",
        "projects": [{"title": "Жоба", "amount": 100, "regions": ("Астана",)}],
        "when": None,
    }


def test_project_and_application_forms_clean_titles_and_summaries(app):
    from fundtracker.blueprints.applications.forms import (
        application_form_class,
        decision_form_class,
    )
    from fundtracker.blueprints.projects.forms import MilestoneForm, ProjectEditForm

    title = "Оңалту \u202eорталығы 🎉\n ашу"
    summary = "Бірінші жол\u200b\r\nекінші жол 👍🏽"
    with app.test_request_context(method="POST"):
        project = ProjectEditForm(
            formdata=MultiDict({"title_kk": title, "summary_ru": summary}), meta={"csrf": False}
        )
        assert project.title_kk.data == "Оңалту орталығы ашу"
        assert project.summary_ru.data == "Бірінші жол\nекінші жол"
        application = application_form_class()(
            formdata=MultiDict({"title": title, "summary": summary}), meta={"csrf": False}
        )
        assert application.title.data == "Оңалту орталығы ашу"
        assert application.summary.data == "Бірінші жол\nекінші жол"
        decision = decision_form_class([])(
            formdata=MultiDict({"title_en": title, "summary_kk": summary}), meta={"csrf": False}
        )
        assert decision.texts().title_en == "Оңалту орталығы ашу"
        assert decision.texts().summary_kk == "Бірінші жол\nекінші жол"
        milestone = MilestoneForm(formdata=MultiDict({"title": title}), meta={"csrf": False})
        assert milestone.title.data == "Оңалту орталығы ашу"


def test_organisation_story_call_and_indicator_forms_clean_names_and_texts(app):
    from fundtracker.blueprints.applications.forms import CallForm
    from fundtracker.blueprints.organisations.forms import OrganisationForm
    from fundtracker.blueprints.outcomes.forms import IndicatorForm, StoryForm

    name = "«Үміт» \u202eқоғамдық қоры 🎉"
    text = "Айдана👍🏽\u200b жүре бастады\r\nОңалтудан кейін."
    with app.test_request_context(method="POST"):
        organisation = OrganisationForm(formdata=MultiDict({"name": name}), meta={"csrf": False})
        assert organisation.name.data == "«Үміт» қоғамдық қоры"
        story = StoryForm(formdata=MultiDict({"title": name, "body": text}), meta={"csrf": False})
        assert story.title.data == "«Үміт» қоғамдық қоры"
        assert story.body.data == "Айдана жүре бастады\nОңалтудан кейін."
        call = CallForm(
            formdata=MultiDict({"title_ru": name, "description_kk": text}), meta={"csrf": False}
        )
        assert call.title_ru.data == "«Үміт» қоғамдық қоры"
        assert call.description_kk.data == "Айдана жүре бастады\nОңалтудан кейін."
        indicator = IndicatorForm(formdata=MultiDict({"name": name}), meta={"csrf": False})
        assert indicator.name.data == "«Үміт» қоғамдық қоры"


def test_a_name_of_emoji_alone_is_refused_as_missing(app):
    from fundtracker.blueprints.organisations.forms import OrganisationForm

    with app.test_request_context(method="POST"):
        form = OrganisationForm(formdata=MultiDict({"name": "🎉 🎉"}), meta={"csrf": False})
        assert not form.name.validate(form)
        assert form.name.errors
