"""Following a link of the site menu the way a person does: on a phone, open "Menu"
first; then open the link's group (unless the group is that one link)."""


def follow_menu(page, group, link):
    """Click `link` in the menu group labelled `group` (None: a link of its own)."""
    nav = page.locator("nav.site-nav")
    toggle = nav.locator("summary.site-menu__toggle")
    if toggle.is_visible() and nav.locator("details.site-menu").get_attribute("open") is None:
        toggle.click()
    if group is not None:
        summary = nav.locator("summary.nav-group__label", has_text=group)
        if summary.count():
            details = summary.locator("xpath=..")
            if details.get_attribute("open") is None:
                summary.click()
    nav.get_by_role("link", name=link, exact=True).click()
