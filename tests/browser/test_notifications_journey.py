"""Journey: from the bell in the header to the task it tells of, on a phone."""
import re

from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    open_menu,
    shot,
    sign_in,
    vi,
)


def test_staff_follow_the_bell_to_their_task(open_page, live_server):
    """Sign in on a phone, open the bell, open a notice, land on its task."""
    page = open_page("phone")
    sign_in(page, "canbo_hnd")
    open_menu(page)
    bell = page.locator("#nav-bell")
    count = int(page.locator("#bell-count").inner_text())
    assert count > 0
    bell.click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.get_by_role("heading", level=1).inner_text() == vi("Notifications")
    assert_no_horizontal_scroll(page)
    shot(page, "notifications-list")

    first = page.locator("#notices li").first
    sentence = first.locator(".notice-link").inner_text()
    first.get_by_role("button", name=vi("Open")).click()
    # A mention leads to its comment on the task page.
    page.wait_for_url(re.compile(r"/tasks/\d+(#comment-\d+)?$"))
    title = page.get_by_role("heading", level=1).inner_text()
    assert title in sentence
    assert_no_horizontal_scroll(page)

    # The notice opened is read: the bell counts one fewer.
    badge = page.locator("#bell-count")
    if count > 1:
        assert int(badge.inner_text()) == count - 1
    else:
        assert badge.count() == 0
