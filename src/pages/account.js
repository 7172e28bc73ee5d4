// The account pages a mailed link opens. The token is read from the URL fragment (which no
// server and no log sees) and spent only when the person presses the button: a mail scanner
// that fetches the link spends nothing. Every value shown is set as text, never as HTML.
"use strict";

(() => {
  // What each page posts, and what it tells the person afterwards.
  const actions = {
    "reset-password": {
      endpoint: "/v1/password/reset",
      needsToken: true,
      body: (form, token) => ({ token, new_password: form.new_password.value }),
      check: (form) =>
        form.new_password.value === ""
          ? { field: "new_password", message: "Enter a new password." }
          : form.new_password.value !== form.repeat_password.value
            ? { field: "repeat_password", message: "The two passwords differ." }
            : null,
      done: "Your password is changed. Every device was signed out: sign in with the new password.",
      renew: { text: "Ask for a new reset link", href: "/account/forgot-password" },
    },
    "forgot-password": {
      endpoint: "/v1/password/forgot",
      needsToken: false,
      body: (form) => ({ email: form.email.value.trim() }),
      check: (form) =>
        /^[^@\s]+@[^@\s]+$/.test(form.email.value.trim())
          ? null
          : { field: "email", message: "Enter an email address, such as ada@example.com." },
      done:
        "If an account has this address, a mail with a link is on its way. The link works for " +
        "a limited time; look in your spam folder too.",
    },
    "verify-email": {
      endpoint: "/v1/email/verification/confirm",
      needsToken: true,
      body: (form, token) => ({ token }),
      done: "Your email address is confirmed.",
      renew: { text: "Sign in to the app and ask for a new verification mail." },
    },
    "confirm-email": {
      endpoint: "/v1/email/change/confirm",
      needsToken: true,
      body: (form, token) => ({ token }),
      done: "Your account now uses this email address. Sign in again with it.",
      renew: { text: "Sign in to the app and ask for the change again." },
    },
    "revert-email": {
      endpoint: "/v1/email/change/revert",
      needsToken: true,
      body: (form, token) => ({ token }),
      done:
        "Your previous email address is back and every device was signed out. Choose a new " +
        "password now.",
      next: { text: "Choose a new password", href: "/account/forgot-password" },
      renew: { text: "Reset your password instead", href: "/account/forgot-password" },
    },
  };

  const form = document.getElementById("form");
  const outcome = document.getElementById("outcome");
  const action = form && actions[form.dataset.action];
  if (!action) return;
  const token = new URLSearchParams(window.location.hash.slice(1)).get("token");

  // Replaces what the outcome region says: a paragraph, and a link or a hint to go on.
  const tell = (kind, message, next) => {
    const paragraph = document.createElement("p");
    paragraph.className = kind;
    paragraph.textContent = message;
    const parts = [paragraph];
    if (next) {
      const line = document.createElement("p");
      if (next.href) {
        const link = document.createElement("a");
        link.href = next.href;
        link.textContent = next.text;
        line.append(link);
      } else {
        line.textContent = next.text;
      }
      parts.push(line);
    }
    outcome.replaceChildren(...parts);
  };

  const fieldError = (name, message) => {
    const input = form.elements[name];
    const error = document.getElementById(`${name}-error`);
    if (!input || !error) return false;
    input.setAttribute("aria-invalid", "true");
    error.textContent = message;
    error.hidden = false;
    input.focus();
    return true;
  };

  const clearErrors = () => {
    for (const error of form.querySelectorAll(".error")) {
      error.hidden = true;
      error.textContent = "";
    }
    for (const input of form.querySelectorAll("[aria-invalid]")) {
      input.removeAttribute("aria-invalid");
    }
  };

  // The link is finished with: its token leaves the address bar and this page's history entry.
  const forgetToken = () => window.history.replaceState(null, "", window.location.pathname);

  const finish = (kind, message, next) => {
    form.hidden = true;
    tell(kind, message, next);
    document.getElementById("title").focus();
  };

  if (action.needsToken && !token) {
    finish("failure", "This link is incomplete: open the whole link from the mail.", action.renew);
    return;
  }

  const explain = async (response) => {
    let problem = {};
    try {
      problem = await response.json();
    } catch {
      // Not JSON (a proxy's page): the status alone says what happened.
    }
    const type = typeof problem.type === "string" ? problem.type : "";
    if (type.endsWith(":action-token-invalid")) {
      forgetToken();
      return finish("failure", "This link was already used or has expired.", action.renew);
    }
    const detail = typeof problem.detail === "string" ? problem.detail : "This password is refused.";
    if (type.endsWith(":weak-password") && fieldError("new_password", detail)) {
      return tell("failure", "Choose another password.");
    }
    if (type.endsWith(":invalid-field") && form.elements.email) {
      fieldError("email", "Enter an email address, such as ada@example.com.");
      return tell("failure", "Check the address.");
    }
    if (type.endsWith(":email-taken")) {
      forgetToken();
      return finish("failure", "That address belongs to another account now.", action.renew);
    }
    if (response.status === 429) {
      const wait = Number(response.headers.get("Retry-After")) || 60;
      return tell("failure", `Too many attempts from your network. Try again in ${wait} seconds.`);
    }
    if (response.status === 501) {
      return finish("failure", "This server sends no mail, so this page cannot work here.");
    }
    return tell("failure", `Something went wrong (${response.status}). Try again in a moment.`);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const problem = action.check ? action.check(form) : null;
    if (problem) {
      fieldError(problem.field, problem.message);
      tell("failure", "Check the form.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    tell("pending", "Working…");
    try {
      const response = await fetch(action.endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(action.body(form, token)),
        credentials: "omit",
        cache: "no-store",
      });
      if (response.ok) {
        if (action.needsToken) forgetToken();
        finish("success", action.done, action.next);
        return;
      }
      await explain(response);
    } catch {
      tell("failure", "The server could not be reached. Check your connection and try again.");
    } finally {
      button.disabled = false;
      // Disabled, the button lost the focus to the page: a keyboard user goes on from it.
      if (!form.hidden && document.activeElement === document.body) button.focus();
    }
  });
})();
