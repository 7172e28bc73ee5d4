// Drives one scenario of the hosted pages in headless Chromium (Debian's /usr/bin/chromium,
// through puppeteer-core, which downloads no browser), for tests/integration/pages_test.cpp:
// that test runs authd and the SMTP server, takes the links from the mail, and checks the
// account afterwards; this script is the person at the browser.
//
//   node tests/browser/pages.mjs SCENARIO URL [ARGUMENT]
//
//   open URL              load a page and do nothing: no request changes anything (a mail
//                         scanner's prefetch); axe-core finds no serious violation
//   reset URL PASSWORD    the reset page: mismatched and weak passwords are refused inline, then
//                         PASSWORD is set with the mouse
//   reset-keyboard URL PASSWORD   the same with the keyboard alone
//   press URL TEXT        press the page's one button; the success message contains TEXT
//   spent URL             press the button of a spent link: "already used or has expired", with
//                         the way to a new link
//   forgot URL EMAIL      ask for a reset link
//   admin URL JSON        the console: sign in ({email, password}), find {target}, see its
//                         {name} as text, edit names and roles, disable it (the audit trail
//                         shows it), enable it again, sign out
//   admin-keyboard URL JSON  the same with the keyboard alone: sign in, find {target}, disable
//                            it
//   admin-signout URL JSON   sign the session of {target} whose client is {agent} out, then
//                            every other one; then the console's own session, from the
//                            administrator's own account
//   admin-paging URL JSON    page through the {count} users whose email starts with {prefix}
//   admin-delete URL JSON delete {target} after typing its email
//   admin-refused URL JSON   a user who is no administrator cannot use the console
//
// Every scenario fails on a Content-Security-Policy violation, a script error or a serious
// accessibility violation. With AUTHD_SCREENSHOT_DIR set, each page is saved there as a PNG.
// Exits 0 and prints "ok" on success; prints the failure and exits 1 otherwise.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [scenario, url, argument] = process.argv.slice(2);
const shots = process.env.AUTHD_SCREENSHOT_DIR;

function fail(message) {
  throw new Error(message);
}

async function launch() {
  // Flags: no sandbox as root; nothing contacted but the page (this machine's network is closed).
  return puppeteer.launch({
    executablePath: process.env.AUTHD_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

// Opens `address` in a phone-sized or desktop window and records what the page must never do.
async function open(browser, address, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const problems = [];
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  // A refused /v1 call is an answer the page handles (Chromium logs it as a console error too);
  // anything else the page fails to load, or logs as an error, is a fault.
  page.on("console", (message) => {
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !new URL(response.url()).pathname.startsWith("/v1/")) {
      problems.push(`${response.url()} answered ${response.status()}`);
    }
  });
  const posts = [];
  page.on("request", (request) => {
    if (request.method() !== "GET") posts.push(`${request.method()} ${request.url()}`);
  });
  // Runs before the page's own script, outside its Content-Security-Policy (as DevTools does).
  await page.evaluateOnNewDocument(() => {
    window.cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const response = await page.goto(address, { waitUntil: "networkidle0" });
  if (response.status() !== 200) fail(`${address} answered ${response.status()}`);
  const policy = response.headers()["content-security-policy"] ?? "";
  if (!policy.includes("default-src 'self'") || !policy.includes("frame-ancestors 'none'")) {
    fail(`no strict Content-Security-Policy: "${policy}"`);
  }
  return { page, problems, posts };
}

// axe-core's rules, run in the page (evaluated through DevTools: the page's policy allows no
// injected script, and needs to allow none).
async function checkAccessibility(page, name) {
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document));
  const serious = results.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  if (serious.length > 0) {
    fail(
      `${name}: ${serious.length} serious accessibility violation(s): ` +
        serious.map((v) => `${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`).join("; "),
    );
  }
}

// The page's name, for its screenshot: the last segment of its path ("admin" for /admin/).
const pageName = (address) => new URL(address).pathname.split("/").filter(Boolean).pop();

async function screenshot(page, name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`) });
}

async function checkClean({ page, problems }) {
  const violations = await page.evaluate(() => window.cspViolations);
  if (violations.length > 0) fail(`Content-Security-Policy violations: ${violations.join("; ")}`);
  if (problems.length > 0) fail(problems.join("; "));
}

async function outcomeText(page, kind) {
  await page.waitForSelector(`#outcome .${kind}`, { timeout: 10000 });
  return page.$eval("#outcome", (element) => element.textContent);
}

async function fieldError(page, field) {
  await page.waitForSelector(`#${field}-error:not([hidden])`, { timeout: 10000 });
  const invalid = await page.$eval(`#${field}`, (input) => input.getAttribute("aria-invalid"));
  if (invalid !== "true") fail(`#${field} is not marked aria-invalid`);
  return page.$eval(`#${field}-error`, (element) => element.textContent);
}

async function typeInto(page, field, text) {
  await page.$eval(`#${field}`, (input) => {
    input.value = "";
  });
  await page.type(`#${field}`, text);
}

// Presses Tab until the element with `id` has the focus (at most `presses` times); fails
// otherwise.
async function tabTo(page, id, presses = 10) {
  for (let i = 0; i < presses; ++i) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => document.activeElement?.id ?? "");
    if (focused === id) return;
  }
  fail(`Tab never reached #${id}`);
}

// The same, until a button whose text is `text` has the focus.
async function tabToButton(page, text, presses = 30) {
  for (let i = 0; i < presses; ++i) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element?.tagName === "BUTTON" ? element.textContent : null;
    });
    if (focused === text) return;
  }
  fail(`Tab never reached the button "${text}"`);
}

// Fails unless the element with the focus has `id` and shows style.css's focus ring.
async function expectFocus(page, id) {
  await page
    .waitForFunction((wanted) => document.activeElement?.id === wanted, { timeout: 10000 }, id)
    .catch(() => {});
  const focused = await page.evaluate(() => ({
    id: document.activeElement?.id ?? "",
    outline: getComputedStyle(document.activeElement).outlineStyle,
  }));
  if (focused.id !== id) fail(`the focus is on "${focused.id}", not #${id}`);
  if (focused.outline !== "solid") fail(`#${id} has the focus but shows "${focused.outline}"`);
}

const scenarios = {
  async open(browser) {
    for (const [viewport, suffix] of [
      [{ width: 1280, height: 800 }, ""],
      [{ width: 390, height: 844, isMobile: true, hasTouch: true }, "-phone"],
    ]) {
      const loaded = await open(browser, url, viewport);
      await new Promise((resolve) => setTimeout(resolve, 500));  // a script that would act, has
      if (loaded.posts.length > 0) fail(`loading the page sent ${loaded.posts.join(", ")}`);
      await checkAccessibility(loaded.page, "the page as loaded");
      await checkClean(loaded);
      await screenshot(loaded.page, pageName(url) + suffix);
      await loaded.page.close();
    }
  },

  async reset(browser) {
    const loaded = await open(browser, url);
    const { page } = loaded;
    await typeInto(page, "new_password", argument);
    await typeInto(page, "repeat_password", `${argument}!`);
    await page.click("button[type=submit]");
    const differ = await fieldError(page, "repeat_password");
    if (!differ.includes("differ")) fail(`mismatch told as "${differ}"`);
    if (loaded.posts.length > 0) fail("a mismatch was sent to the server");

    await typeInto(page, "new_password", "password");
    await typeInto(page, "repeat_password", "password");
    await page.click("button[type=submit]");
    const weak = await fieldError(page, "new_password");
    if (weak.trim() === "") fail("the server's word on a weak password is not shown");
    await checkAccessibility(page, "the reset page with an error");
    await screenshot(page, "reset-password-error");

    await typeInto(page, "new_password", argument);
    await typeInto(page, "repeat_password", argument);
    await page.click("button[type=submit]");
    const done = await outcomeText(page, "success");
    if (!done.includes("password is changed")) fail(`success told as "${done}"`);
    if (page.url().includes("#")) fail(`the token stays in the address bar: ${page.url()}`);
    await checkAccessibility(page, "the reset page, done");
    await screenshot(page, "reset-password-done");
    await checkClean(loaded);
  },

  async "reset-keyboard"(browser) {
    const loaded = await open(browser, url);
    const { page } = loaded;
    await tabTo(page, "new_password");
    await page.keyboard.type(argument);
    await tabTo(page, "repeat_password");
    await page.keyboard.type(argument);
    await page.keyboard.press("Tab");
    const button = await page.evaluate(() => {
      const focused = document.activeElement;
      return { tag: focused.tagName, outline: getComputedStyle(focused).outlineStyle };
    });
    if (button.tag !== "BUTTON") fail(`Tab after the fields reached ${button.tag}, not the button`);
    // style.css's ring (3px solid), not the browser's default one (style: auto).
    if (button.outline !== "solid") fail(`the focused button's ring is "${button.outline}"`);
    await page.keyboard.press("Enter");
    const done = await outcomeText(page, "success");
    if (!done.includes("password is changed")) fail(`success told as "${done}"`);
    await checkClean(loaded);
  },

  async press(browser) {
    const loaded = await open(browser, url);
    await loaded.page.click("button[type=submit]");
    const done = await outcomeText(loaded.page, "success");
    if (!done.includes(argument)) fail(`success told as "${done}", not "${argument}"`);
    await screenshot(loaded.page, `${pageName(url)}-done`);
    await checkClean(loaded);
  },

  async spent(browser) {
    const loaded = await open(browser, url);
    const { page } = loaded;
    for (const field of ["new_password", "repeat_password"]) {
      if (await page.$(`#${field}`)) await typeInto(page, field, "a fresh long passphrase");
    }
    await page.click("button[type=submit]");
    const told = await outcomeText(page, "failure");
    if (!told.includes("already used or has expired")) fail(`a spent link told as "${told}"`);
    const renew = await page.$eval("#outcome", (element) => element.querySelector("a")?.pathname);
    if (renew !== "/account/forgot-password") fail(`no way to a new link: ${renew}`);
    const formShown = await page.$eval("#form", (form) => getComputedStyle(form).display);
    if (formShown !== "none") fail("the form stays after a spent link");
    await checkAccessibility(page, "a spent link");
    await screenshot(page, "reset-password-spent");
    await checkClean(loaded);
  },

  async forgot(browser) {
    const loaded = await open(browser, url);
    const { page } = loaded;
    await typeInto(page, "email", "not an address");
    await page.click("button[type=submit]");
    await fieldError(page, "email");
    await typeInto(page, "email", argument);
    await page.click("button[type=submit]");
    const done = await outcomeText(page, "success");
    if (!done.includes("on its way")) fail(`success told as "${done}"`);
    await checkClean(loaded);
  },
};

// The admin console, signed in as the administrator ARGUMENT names (JSON: email, password).
// `slowAudit` holds each audit request back a second: the console must still take a search
// typed the moment it appears.
async function signIn(browser, credentials, { slowAudit = false } = {}) {
  const loaded = await open(browser, url);
  const { page } = loaded;
  if (slowAudit) {
    await page.setRequestInterception(true);
    page.on("request", (request) => {
      if (new URL(request.url()).pathname === "/v1/admin/audit") {
        setTimeout(() => request.continue().catch(() => {}), 1000);
      } else {
        request.continue().catch(() => {});
      }
    });
  }
  page.on("dialog", async (dialog) => {
    loaded.problems.push(`a script opened a dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  await checkAccessibility(page, "the console's sign-in");
  await screenshot(page, "admin-signin");
  await page.type("#signin-email", credentials.email);
  await page.type("#signin-password", credentials.password);
  await page.click("#signin-form button[type=submit]");
  return loaded;
}

// Finds `email` with the search and opens it.
async function openUser(page, email) {
  await page.waitForSelector("#console:not([hidden])", { timeout: 10000 });
  await typeInto(page, "search-email", email);
  await page.click("#search-form button[type=submit]");
  // The list from the sign-in may already show the user: wait for the search's own answer.
  await page.waitForFunction(
    (wanted) => {
      const listed = [...document.querySelectorAll("#user-table tbody button")];
      return listed.length > 0 && listed.every((button) => button.textContent === wanted);
    },
    { timeout: 10000 },
    email,
  );
  const listed = await page.$$eval("#user-table tbody tr", (rows) => rows.length);
  await checkAccessibility(page, "the list of users");
  await screenshot(page, "admin-users");
  const buttons = await page.$$("#user-table tbody button");
  for (const button of buttons) {
    if ((await button.evaluate((b) => b.textContent)) === email) await button.click();
  }
  await page.waitForSelector("#user:not([hidden])", { timeout: 10000 });
  return listed;
}

async function waitForOutcome(page, text) {
  await page.waitForFunction(
    (wanted) => document.querySelector("#outcome .success")?.textContent.includes(wanted),
    { timeout: 10000 },
    text,
  );
}

Object.assign(scenarios, {
  // Signs in, finds the user, shows their name as text, edits them, disables and enables them,
  // then signs out while an answer is on its way.
  async admin(browser) {
    const { email, password, target, name } = JSON.parse(argument);
    const loaded = await signIn(browser, { email, password });
    const { page } = loaded;
    await openUser(page, target);
    const shown = await page.$eval("#user-first-name", (input) => input.value);
    if (shown !== name) fail(`the first name shows as "${shown}", not "${name}"`);
    const listedName = await page.$$eval("#user-table td", (cells) =>
      cells.map((cell) => cell.textContent),
    );
    if (!listedName.some((cell) => cell.includes(name))) {
      fail(`the list does not show the name "${name}" as text`);
    }
    if ((await page.$$("main img")).length > 0) fail("a user's name became an element");
    const sessions = await page.$$eval("#session-table tbody tr", (rows) => rows.length);
    if (sessions < 1) fail("the user's session is not listed");
    await checkAccessibility(page, "a user");
    await screenshot(page, "admin-user");

    await typeInto(page, "user-last-name", "Lovelace");
    await typeInto(page, "user-roles", "user, seller");
    await page.click("#user-form button[type=submit]");
    await waitForOutcome(page, "Saved.");
    const roles = await page.$eval("#user-roles", (input) => input.value);
    if (roles !== "user, seller") fail(`the roles read "${roles}" after saving`);
    await page.click("#toggle-active");
    await waitForOutcome(page, "disabled");
    const status = await page.$eval("#user-status", (element) => element.textContent);
    if (!status.startsWith("Disabled")) fail(`the user shows as "${status}"`);
    const listedSessions = await page.$$eval("#session-table tbody tr", (rows) => rows.length);
    if (listedSessions !== 0) fail(`${listedSessions} session(s) listed after disabling`);
    const audit = await page.$eval("#audit-table", (table) => table.textContent);
    if (!audit.includes("account_disabled")) fail("the audit trail does not show the disabling");
    await page.click("#toggle-active");  // and back: the sessions stay ended
    await waitForOutcome(page, "enabled");

    // Signing out while an answer is on its way: the answer, held back until after the
    // sign-out, must not put the user back on the page.
    const devtools = await page.createCDPSession();
    const held = [];
    let holding = true;
    devtools.on("Fetch.requestPaused", ({ requestId }) => {
      if (holding) held.push(requestId);
      else devtools.send("Fetch.continueRequest", { requestId }).catch(() => {});
    });
    await devtools.send("Fetch.enable", {
      patterns: [{ urlPattern: "*/v1/admin/users/*/sessions", requestStage: "Response" }],
    });
    await page.click("#user-form button[type=submit]");  // saves, then reloads the user
    for (let waited = 0; held.length === 0; waited += 50) {
      if (waited > 10000) fail("the user's sessions were never asked for after saving");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.click("#signout");
    await waitForOutcome(page, "Signed out.");
    holding = false;
    for (const requestId of held) await devtools.send("Fetch.continueRequest", { requestId });
    // The answer has landed, and the page's script has had its turns to act on it.
    await page.waitForNetworkIdle({ idleTime: 300, timeout: 10000 });
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    await devtools.send("Fetch.disable");
    const told = await outcomeText(page, "success");
    if (told !== "Signed out.") fail(`after signing out, the page says "${told}"`);
    if (!(await page.$eval("#console", (section) => section.hidden))) fail("still signed in");
    const left = await page.$$eval(
      "#user-table tbody tr, #session-table tbody tr, #audit-table tbody tr",
      (rows) => rows.length,
    );
    if (left !== 0) fail(`${left} row(s) of the session stay on the page after signing out`);
    await checkClean(loaded);
  },

  // The console with the keyboard alone: sign in, search {target}, open it, disable it.
  async "admin-keyboard"(browser) {
    const { email, password, target } = JSON.parse(argument);
    const loaded = await open(browser, url);
    const { page } = loaded;
    await tabTo(page, "signin-email");
    await page.keyboard.type(email);
    await tabTo(page, "signin-password");
    await page.keyboard.type(password);
    await page.keyboard.press("Enter");
    await expectFocus(page, "search-email");  // signed in, the focus waits in the search
    await page.keyboard.type(target);
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      (wanted) =>
        [...document.querySelectorAll("#user-table tbody button")].some(
          (button) => button.textContent === wanted,
        ) && document.querySelectorAll("#user-table tbody tr").length === 1,
      { timeout: 10000 },
      target,
    );
    await tabToButton(page, target);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#user:not([hidden])", { timeout: 10000 });
    const heading = await page.evaluate(() => document.activeElement?.id);
    if (heading !== "user-heading") fail(`the user opened with the focus on "${heading}"`);
    await tabTo(page, "toggle-active", 20);
    await expectFocus(page, "toggle-active");
    await page.keyboard.press("Enter");
    await waitForOutcome(page, "disabled");
    await expectFocus(page, "toggle-active");  // the button stays, its words change
    const status = await page.$eval("#user-status", (element) => element.textContent);
    if (!status.startsWith("Disabled")) fail(`the user shows as "${status}"`);
    await checkClean(loaded);
  },

  // Signs the session of {target} whose client is {agent} out with its row's button, then every
  // other one; the account stays enabled.
  async "admin-signout"(browser) {
    const { email, password, target, agent } = JSON.parse(argument);
    const loaded = await signIn(browser, { email, password });
    const { page } = loaded;
    await openUser(page, target);
    const clients = () =>
      page.$$eval("#session-table tbody tr", (rows) =>
        rows.map((row) => row.cells[4].textContent),
      );
    const before = await clients();
    if (!before.includes(agent) || before.length < 2) {
      fail(`the sessions listed are ${JSON.stringify(before)}`);
    }
    const rows = await page.$$("#session-table tbody tr");
    for (const row of rows) {
      if ((await row.evaluate((r) => r.cells[4].textContent)) === agent) {
        await (await row.$("button")).click();
      }
    }
    await waitForOutcome(page, "The session is signed out.");
    const focused = await page.evaluate(() => document.activeElement?.id);
    if (focused !== "sessions-heading") fail(`the focus is on "${focused}", lost with the row`);
    const after = await clients();
    if (after.includes(agent) || after.length !== before.length - 1) {
      fail(`after signing ${agent} out, the sessions listed are ${JSON.stringify(after)}`);
    }
    const audit = await page.$eval("#audit-table", (table) => table.textContent);
    if (!audit.includes("session_revoked")) fail("the audit trail does not show the sign-out");
    await checkAccessibility(page, "a user's sessions");

    await page.click("#revoke-all");
    await waitForOutcome(page, "Every session of the account is signed out.");
    const left = await page.$$eval("#session-table tbody tr", (rows) => rows.length);
    if (left !== 0) fail(`${left} session(s) still listed`);
    const status = await page.$eval("#user-status", (element) => element.textContent);
    if (!status.startsWith("Active")) fail(`the user shows as "${status}"`);

    // The administrator's own account: this console's session is marked, and ending it signs
    // the console out.
    await page.click("#back");
    // Back reloads the list, then shows it: a search pressed before then would be ignored.
    await waitForOutcome(page, "user(s) on this page.");
    await openUser(page, email);
    const mine = "Sign out (this console)";
    const labels = await page.$$eval("#session-table tbody button", (buttons) =>
      buttons.map((button) => button.textContent),
    );
    const marked = labels.filter((label) => label === mine).length;
    if (marked !== 1) fail(`${marked} session(s) marked as this console's: ${labels}`);
    await (await page.$$("#session-table tbody button"))[labels.indexOf(mine)].click();
    await page.waitForSelector("#signin:not([hidden])", { timeout: 10000 });
    const told = await outcomeText(page, "failure");
    if (!told.includes("Sign in again")) fail(`signing its own session out told as "${told}"`);
    await checkClean(loaded);
  },

  // Pages through the users whose email starts with {prefix}: {count} of them, 20 a page. The
  // search is typed while the console still loads its audit trail.
  async "admin-paging"(browser) {
    const { email, password, prefix, count } = JSON.parse(argument);
    const loaded = await signIn(browser, { email, password }, { slowAudit: true });
    const { page } = loaded;
    await page.waitForSelector("#console:not([hidden])", { timeout: 20000 });  // a second late
    await typeInto(page, "search-email", prefix);
    await page.click("#search-form button[type=submit]");
    const rows = () => page.$$eval("#user-table tbody tr", (all) => all.length);
    const emails = () =>
      page.$$eval("#user-table tbody button", (all) => all.map((button) => button.textContent));
    // The list already shows every user from the sign-in: wait for the search's own answer.
    const searched = await page
      .waitForFunction(
        (wanted) => {
          const listed = [...document.querySelectorAll("#user-table tbody button")];
          const ours = (button) => button.textContent.startsWith(wanted);
          return listed.length > 0 && listed.every(ours);
        },
        { timeout: 10000 },
        prefix,
      )
      .then(() => true, () => false);
    const first = await emails();
    if (!searched) fail(`the search let others through: ${JSON.stringify(first)}`);
    if (first.length !== Math.min(count, 20)) fail(`the first page lists ${first.length}`);
    await page.click("#next-page");
    await page.waitForFunction(
      (head) => document.querySelector("#user-table tbody button")?.textContent !== head,
      { timeout: 10000 },
      first[0],
    );
    const second = await emails();
    if (first.length + second.length !== count) fail(`${first.length} + ${second.length} listed`);
    if (second.some((listed) => first.includes(listed))) fail("a user is on both pages");
    if (!(await page.$eval("#next-page", (button) => button.disabled))) {
      fail("a next page is offered after the last");
    }
    await page.click("#first-page");
    await page.waitForFunction(
      (head) => document.querySelector("#user-table tbody button")?.textContent === head,
      { timeout: 10000 },
      first[0],
    );
    if ((await rows()) !== first.length) fail("the first page came back different");
    await checkClean(loaded);
  },

  // Deletes the user after typing their email; a wrong one leaves the button disabled.
  async "admin-delete"(browser) {
    const { email, password, target } = JSON.parse(argument);
    const loaded = await signIn(browser, { email, password });
    const { page } = loaded;
    await openUser(page, target);
    const button = "#delete-form button[type=submit]";
    await typeInto(page, "delete-confirm", `x${target}`);
    if (!(await page.$eval(button, (b) => b.disabled))) fail("a wrong confirmation enables delete");
    await typeInto(page, "delete-confirm", target);
    if (await page.$eval(button, (b) => b.disabled)) fail("the typed email does not enable delete");
    await page.click(button);
    await waitForOutcome(page, "is deleted");
    await checkClean(loaded);
  },

  // A user who is no administrator is told so, and the console stays closed.
  async "admin-refused"(browser) {
    const { email, password } = JSON.parse(argument);
    const loaded = await signIn(browser, { email, password });
    const told = await outcomeText(loaded.page, "failure");
    if (!told.includes("not an administrator")) fail(`a non-administrator told "${told}"`);
    if (!(await loaded.page.$eval("#console", (section) => section.hidden))) {
      fail("the console opened for a non-administrator");
    }
    await checkClean(loaded);
  },
});

const run = scenarios[scenario];
if (!run || !url) {
  console.error(`usage: node pages.mjs ${Object.keys(scenarios).join("|")} URL [ARGUMENT]`);
  process.exit(2);
}
const browser = await launch();
try {
  await run(browser);
  console.log("ok");
} catch (error) {
  console.error(`${scenario} ${url}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
