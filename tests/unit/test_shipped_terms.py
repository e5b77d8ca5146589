"""The shipped Terms of Use say what the portal does now: a patient who reads them must not be told
that a feature they can use does not exist."""

from chalicelib.identity import terms


def test_the_shipped_terms_describe_appointments_and_access_for_others() -> None:
    text = terms.SHIPPED.terms_of_use
    assert "cannot book" not in text
    assert "ask for appointments and cancel them" in text
    assert "you can end it at any time" in text


def test_the_replaced_text_stays_readable_under_its_own_label() -> None:
    earlier = terms.ALL_SHIPPED["2026-12-05"]
    assert "You cannot book appointments through the portal" in earlier.terms_of_use
    assert terms.SHIPPED.version != "2026-12-05"
    assert len(terms.ALL_SHIPPED) == 1 + len(terms.EARLIER_SHIPPED)
