"""Journey: a staff member signed in on a phone and at the office ends the office
session from the phone; the office browser, and a copy of its cookies, are signed out."""
import re

from tests.browser.helpers import assert_no_horizontal_scroll, shot, sign_in, vi


def test_ending_a_session_from_the_phone_signs_the_other_browser_out(open_page):
    desk = open_page("desktop")
    sign_in(desk, "canbo_bdv")
    copies = desk.context.cookies()

    phone = open_page("phone")
    sign_in(phone, "canbo_bdv")
    phone.goto("/account/")
    assert phone.get_by_role("heading", level=1).inner_text() == vi("My account")
    # The account page also lists API tokens: the devices are the sessions' list.
    devices = phone.locator("[aria-labelledby=sessions] .list-group-item")
    assert devices.count() == 2
    assert devices.filter(has_text=vi("This device")).count() == 1
    assert_no_horizontal_scroll(phone)
    shot(phone, "sessions-account")

    other = devices.filter(has_not_text=vi("This device"))
    other.get_by_role("button", name=vi("End this session")).click()
    phone.wait_for_url(re.compile(r"/account/$"))
    phone.get_by_role("alert").filter(
        has_text=vi("That device has been signed out.")).wait_for()
    assert phone.locator("[aria-labelledby=sessions] .list-group-item").count() == 1

    desk.goto("/quarters/")
    desk.wait_for_url(re.compile(r"/login"))
    # A copy of the office browser's cookies taken before is worth nothing now.
    thief = open_page("desktop")
    thief.context.add_cookies(copies)
    thief.goto("/quarters/")
    thief.wait_for_url(re.compile(r"/login"))

    phone.get_by_role("button", name=vi("Sign out everywhere")).click()
    phone.wait_for_url(re.compile(r"/login"))
    phone.goto("/quarters/")
    phone.wait_for_url(re.compile(r"/login"))
