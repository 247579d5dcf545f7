#!/usr/bin/env python3
"""Drives the page of `segment serve` or `classify serve` (GET /) in headless Chromium, as a
person would: chooses a picture in the page's file input, waits for the page to show its
answer, and reports what it shows.

  scripts/page-test.py --url http://127.0.0.1:PORT/ --picture SampleImages/astronaut.png \
      --shown shown.png --screenshot page.png

For segment the shown picture's bytes (the <img> the page displays) go to --shown; for
classify the labels the page lists are printed, one per line. Exit 77 when Chromium, its
driver or selenium is missing (the test suite turns that into a skip, or a failure under
CI=true); 1 when the page shows an error or nothing within --timeout seconds.
Needs Debian's chromium and chromium-driver and `pip install selenium`
(scripts/install-deps.sh --tests installs them).
"""
import argparse
import base64
import os
import shutil
import sys

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    print("selenium is not installed (pip install selenium)", file=sys.stderr)
    sys.exit(77)

# The <img> the page shows, read back through the page itself (its blob: URL), base64.
READ_SHOWN = """
const done = arguments[arguments.length - 1];
fetch(document.getElementById("result").src)
  .then((r) => r.arrayBuffer())
  .then((buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 1) text += String.fromCharCode(bytes[i]);
    done(btoa(text));
  })
  .catch((e) => done("ERROR " + e));
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--picture", required=True)
    parser.add_argument("--shown", help="where to write the picture the page shows (segment)")
    parser.add_argument("--screenshot", help="a PNG of the page once it shows the answer")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not browser or not driver_path:
        print("chromium or chromedriver is missing (apt-get install chromium chromium-driver)",
              file=sys.stderr)
        sys.exit(77)
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1100,900", "--no-proxy-server"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.set_script_timeout(args.timeout)
        driver.get(args.url)
        task = driver.find_element(By.TAG_NAME, "body").get_attribute("data-task")
        driver.find_element(By.ID, "file").send_keys(os.path.abspath(args.picture))
        status = driver.find_element(By.ID, "status")
        WebDriverWait(driver, args.timeout).until(
            lambda d: status.get_attribute("data-done") in ("yes", "error"))
        print(f"task: {task}; status: {status.text}")
        if status.get_attribute("data-done") != "yes":
            return 1
        if task == "segment":
            shown = driver.execute_async_script(READ_SHOWN)
            if shown.startswith("ERROR"):
                print(shown, file=sys.stderr)
                return 1
            caption = driver.find_element(By.ID, "answer-caption").text
            download = driver.find_element(By.ID, "download").get_attribute("download")
            print(f"shown: {caption}; download as {download}")
            if args.shown:
                with open(args.shown, "wb") as out:
                    out.write(base64.b64decode(shown))
        else:
            for item in driver.find_elements(By.CSS_SELECTOR, "#labels li"):
                print("label: " + item.text.replace("\n", " "))
        if args.screenshot:
            driver.save_screenshot(args.screenshot)
        return 0
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
