"""The Content-Security-Policy is really enforced by the browser: an injected inline script does not
run and an inline style is not applied, while the page's own scripts (static files) do their work.
(Every other browser test fails if the policy refuses anything on its pages: see conftest.page.)"""

from __future__ import annotations

import pytest

from tests.browser.conftest import CSP_REFUSAL, log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_browser_refuses_inline_script_and_style_but_runs_the_pages_scripts(chromium, live_server,
                                                                                 admin_user):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    refused = []
    page.on("console", lambda message: refused.append(message.text) if CSP_REFUSAL in message.text else None)
    log_in(page, "admin", "pw-admin-123")
    page.goto("/settings/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Create key").click()  # static/js/settings.js, session + CSRF token
    page.get_by_text("Your new key (copy it now").wait_for()
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        document.body.setAttribute("style", "background: rgb(255, 0, 0)");
    }""")
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert any("script" in text for text in refused) and any("style" in text for text in refused)
    context.close()
