"""The guided lesson in a browser, driven as a presentation clicker drives it: PageDown from
the first step to the last, a prediction that reveals the answer, and the arrow keys."""

import re

import pytest

from cnnviz import guide, i18n

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def title(number: int) -> str:
    return f"{number}. {guide.STEPS[number - 1].text('title')}"


def wait_for_step(page, number: int) -> None:
    # Generous: a step redraws its experiment's figures, on a machine that may be busy.
    page.set_default_timeout(120_000)
    page.get_by_role("heading", name=title(number)).wait_for()
    page.wait_for_url(re.compile(rf"[?&]step={number}(&|$)"))
    # A button takes its shortcut once drawn: wait for the buttons, the hidden ones too.
    page.locator(".st-key-guided_next button").wait_for()
    page.locator(".st-key-guided_next_arrow button").wait_for(state="attached")


def press(page, key: str) -> None:
    """A key pressed with nothing focused, as a clicker sends it to the page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press(key)


def test_pagedown_walks_from_the_first_step_to_the_last_and_a_choice_reveals_the_answer(
    page, server_url
):
    page.goto(f"{server_url}/guided")
    wait_for_step(page, 1)
    page.get_by_text(i18n.translate("en", "guided.progress", step=1, count=9)).wait_for()
    for number in range(2, len(guide.STEPS) + 1):
        press(page, "PageDown")
        wait_for_step(page, number)
    page.get_by_text("Step 9 of 9").wait_for()
    assert page.get_by_role("button", name="Next").first.is_disabled()

    question = guide.transfer_question()
    right = i18n.translate("en", "guided.right", answer=question.right_choice)
    page.get_by_text(question.prompt).wait_for()
    assert page.get_by_text(right).count() == 0  # hidden before the choice
    radios = page.locator("[data-testid='stRadio']")
    radios.locator("label").filter(has_text=question.right_choice).first.click()
    page.get_by_text(right).wait_for()
    page.get_by_text(question.explanation).wait_for()
    page.get_by_text("Answered 1 of 9, 1 right.").wait_for()


def test_the_arrow_keys_and_pageup_step_back_and_forth_from_a_linked_step(page, server_url):
    page.goto(f"{server_url}/guided?step=4")
    wait_for_step(page, 4)
    press(page, "ArrowRight")
    wait_for_step(page, 5)
    press(page, "ArrowLeft")
    wait_for_step(page, 4)
    press(page, "PageUp")
    wait_for_step(page, 3)
    hidden = page.locator(".st-key-guided_arrow_keys")
    assert not hidden.is_visible()  # the arrow keys' buttons are out of sight
