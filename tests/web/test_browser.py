"""End-to-end in real headless Chromium (Debian's chromium + chromedriver, driven by selenium).

Each test saves a screenshot under artifacts/web/ (git-ignored); look at them: Chinese must render.
"""
from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from web_helpers import ARTIFACTS, PASSWORD

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 15


@pytest.fixture
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("chromium / chromium-driver are not installed, and CI must run the browser tests (.ci/run)")
        pytest.skip("chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="policybot-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def phone_viewport(driver, width=360, height=740):
    """Make the page's viewport (not the window) 360×740, like a phone."""
    driver.set_window_size(width, height)
    inner_w, inner_h = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(width + (width - inner_w), height + (height - inner_h))


def _stale():
    """The chat redraws its bubbles on every message: an element found a moment ago may be gone."""
    from selenium.common.exceptions import StaleElementReferenceException

    return (StaleElementReferenceException,)


def wait_for_text(driver, css, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, WAIT, ignored_exceptions=_stale()).until(lambda d: any(text in e.text for e in d.find_elements(By.CSS_SELECTOR, css)))


def ask(driver, text):
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


def tap(driver, label):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chip = WebDriverWait(driver, WAIT, ignored_exceptions=_stale()).until(
        lambda d: next((c for c in d.find_elements(By.CSS_SELECTOR, ".chips .chip") if c.text == label), None))
    chip.click()


def test_citizen_on_a_phone_taps_through_to_the_district_phone_and_reload_keeps_it(live, browser):
    from selenium.webdriver.common.by import By

    server = live()
    phone_viewport(browser)
    browser.get(server.url + "/")
    assert browser.execute_script("return window.innerWidth") == 360
    ask(browser, "我被公司裁员了，能领失业金吗")
    tap(browser, "乌鲁木齐市")
    wait_for_text(browser, ".msg.bot", "1530元/月")
    tap(browser, "核对申领条件")
    tap(browser, "是")
    tap(browser, "已办理")
    tap(browser, "天山区")
    wait_for_text(browser, ".msg.bot", "0991-2337209")
    folds = browser.find_elements(By.CSS_SELECTOR, ".msg.bot details.cite")
    assert folds and not folds[0].get_attribute("open") and "乌鲁木齐市就业社保政策清单" in folds[0].get_attribute("textContent")
    # nothing wider than the phone: no sideways scrolling
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    browser.save_screenshot(str(ARTIFACTS / "citizen-phone.png"))
    browser.refresh()
    wait_for_text(browser, ".msg.bot", "0991-2337209")
    users = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".msg.user")]
    assert users == ["我被公司裁员了，能领失业金吗", "乌鲁木齐市", "核对申领条件", "是", "已办理", "天山区"]
    browser.save_screenshot(str(ARTIFACTS / "citizen-after-reload.png"))
    # the server kept the same conversation: a follow-up still knows the district and the topic
    ask(browser, "要带什么材料")
    wait_for_text(browser, ".msg.bot", "社会保障卡或身份证")
    ask(browser, "乌鲁木齐降低失业保险费率的政策")
    wait_for_text(browser, ".msg.bot .badge.ended", "已结束")


def login(driver, url):
    from selenium.webdriver.common.by import By

    driver.get(url + "/staff/login")
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.ID, "login").click()
    wait_for_text(driver, "nav", "对话调试")


def test_clerk_sees_intent_and_highlighted_source_passage(live, browser):
    from selenium.webdriver.common.by import By

    server = live()
    browser.set_window_size(1280, 1300)
    login(browser, server.url)
    ask(browser, "乌鲁木齐失业金一个月多少钱")
    wait_for_text(browser, "#debug .intent", "unemployment_benefit")
    mark = browser.find_element(By.CSS_SELECTOR, "#debug mark#cited")
    assert mark.text.startswith("三、申领失业保险金") and "1530元/月" in mark.text
    assert mark.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    assert "失业保险金申领" in browser.find_element(By.CSS_SELECTOR, "#debug table.scores").text
    browser.save_screenshot(str(ARTIFACTS / "staff-debug.png"))


def test_out_of_scope_question_appears_in_the_unanswered_report(live, browser):
    from selenium.webdriver.common.by import By

    server = live()
    phone_viewport(browser)
    browser.get(server.url + "/")
    ask(browser, "图书馆几点开门")
    wait_for_text(browser, ".msg.bot", "不在我的资料范围内")
    browser.set_window_size(1280, 900)
    login(browser, server.url)
    browser.get(server.url + "/staff/unanswered")
    questions = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".unanswered .question")]
    assert "图书馆几点开门" in questions
    browser.save_screenshot(str(ARTIFACTS / "staff-unanswered.png"))
