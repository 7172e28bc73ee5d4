// The admin console: a client of the /v1 admin API with no powers of its own. The session's
// tokens live in this script's memory only (never localStorage, never a cookie): closing or
// reloading the tab signs out, and there is nothing for another site to forge a request with.
// Every value from the server is set as text, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const outcome = $("outcome");
  const pageSize = 20;

  let tokens = null;  // {access_token, refresh_token} while signed in
  let cursors = [];   // the cursor of each page shown so far; the last one is the current page
  let nextCursor = null;
  let auditCursor = null;
  let current = null;  // the user open in the detail view

  const tell = (kind, message) => {
    const paragraph = document.createElement("p");
    paragraph.className = kind;
    paragraph.textContent = message;
    outcome.replaceChildren(paragraph);
  };

  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "never");

  // A row of cells, each set as text; `first` may be an element (a button) instead.
  const row = (cells) => {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = document.createElement("td");
      if (cell instanceof Node) td.append(cell);
      else td.textContent = cell;
      tr.append(td);
    }
    return tr;
  };

  class ApiError extends Error {
    constructor(status, problem) {
      super(problem.detail || problem.title || `the server answered ${status}`);
      this.status = status;
      this.type = problem.type || "";
    }
  }

  const send = (method, path, body, bearer) =>
    fetch(path, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });

  const parse = async (response) => {
    if (response.status === 204) return null;
    let json = {};
    try {
      json = await response.json();
    } catch {
      // Not JSON: the status says it.
    }
    if (!response.ok) throw new ApiError(response.status, json);
    return json;
  };

  const signedOut = (message) => {
    tokens = null;
    current = null;
    $("console").hidden = true;
    $("signin").hidden = false;
    $("signin-form").reset();
    if (message) tell("failure", message);
    $("signin-email").focus();
  };

  // Calls the admin API; an expired access token is renewed once with the refresh token.
  const api = async (method, path, body) => {
    let response = await send(method, path, body, tokens?.access_token);
    if (response.status === 401 && tokens) {
      const renewed = await send("POST", "/v1/sessions/refresh", {
        refresh_token: tokens.refresh_token,
      });
      if (!renewed.ok) {
        signedOut("Your session ended. Sign in again.");
        throw new ApiError(401, { title: "signed out" });
      }
      tokens = await renewed.json();
      response = await send(method, path, body, tokens.access_token);
    }
    return parse(response);
  };

  // Runs `work`, telling the person when it fails; true when it succeeded.
  const attempt = async (work) => {
    try {
      await work();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) tell("failure", error.message);
      return false;
    }
  };

  const showUsers = async (cursor) => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    const prefix = $("search-email").value.trim();
    if (prefix) query.set("email_prefix", prefix);
    if (cursor) query.set("cursor", cursor);
    const list = await api("GET", `/v1/admin/users?${query}`);
    const body = $("user-table").tBodies[0];
    body.replaceChildren(
      ...list.users.map((user) => {
        const open = document.createElement("button");
        open.type = "button";
        open.className = "link";
        open.textContent = user.email;
        open.addEventListener("click", () => attempt(() => showUser(user.id)));
        const name = [user.first_name, user.last_name].filter(Boolean).join(" ");
        return row([
          open,
          name,
          user.roles.join(", "),
          user.is_active ? "Active" : "Disabled",
          when(user.last_login),
        ]);
      }),
    );
    nextCursor = list.next_cursor;
    $("next-page").disabled = nextCursor === null;
    $("first-page").disabled = cursors.length <= 1;
    tell("success", `${list.users.length} user(s) on this page.`);
  };

  const showUser = async (id) => {
    const user = await api("GET", `/v1/admin/users/${encodeURIComponent(id)}`);
    current = user;
    $("user-heading").textContent = user.email;
    $("user-status").textContent =
      `${user.is_active ? "Active" : "Disabled"} · ` +
      `${user.email_verified ? "email verified" : "email not verified"} · ` +
      `created ${when(user.created_at)} · last login ${when(user.last_login)}`;
    $("user-first-name").value = user.first_name ?? "";
    $("user-last-name").value = user.last_name ?? "";
    $("user-roles").value = user.roles.join(", ");
    $("toggle-active").textContent = user.is_active ? "Disable the account" : "Enable the account";
    $("delete-confirm").value = "";
    $("delete-form").querySelector("button").disabled = true;
    const sessions = await api("GET", `/v1/admin/users/${encodeURIComponent(id)}/sessions`);
    $("session-table").tBodies[0].replaceChildren(
      ...sessions.sessions.map((session) =>
        row([
          session.kind === "rotating" ? "API session" : "Seed session",
          when(session.created_at),
          when(session.last_used_at),
          when(session.expires_at),
          session.user_agent,
        ]),
      ),
    );
    outcome.replaceChildren();  // what was said of the list is not said of this user
    $("users").hidden = true;
    $("user").hidden = false;
    $("user-heading").focus();
  };

  const backToUsers = async () => {
    current = null;
    $("user").hidden = true;
    $("users").hidden = false;
    await showUsers(cursors.at(-1) ?? null);
  };

  const showAudit = async (more) => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (more && auditCursor) query.set("cursor", auditCursor);
    const page = await api("GET", `/v1/admin/audit?${query}`);
    const rows = page.events.map((event) =>
      row([
        when(event.at),
        event.actor,
        event.action,
        event.target_user_id ? String(event.target_user_id) : "",
        event.outcome,
      ]),
    );
    const body = $("audit-table").tBodies[0];
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    auditCursor = page.next_cursor;
    $("more-audit").disabled = auditCursor === null;
  };

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const email = $("signin-email").value.trim();
    const response = await send("POST", "/v1/sessions", {
      email,
      password: $("signin-password").value,
    });
    $("signin-password").value = "";
    if (!response.ok) {
      tell("failure", response.status === 429 ? "Too many attempts: wait, then try again."
                                              : "Those are not the credentials of an account.");
      return;
    }
    tokens = await response.json();
    cursors = [null];
    const shown = await attempt(() => showUsers(null));
    if (!shown) {
      // Not an administrator: the session is of no use here.
      await send("DELETE", "/v1/sessions/current", undefined, tokens.access_token);
      signedOut("This account is not an administrator.");
      return;
    }
    $("signed-in-as").textContent = `Signed in as ${email}`;
    $("signin").hidden = true;
    $("console").hidden = false;
    $("users").hidden = false;
    $("user").hidden = true;
    await attempt(() => showAudit(false));
    $("search-email").focus();
  });

  $("signout").addEventListener("click", async () => {
    if (tokens) await send("DELETE", "/v1/sessions/current", undefined, tokens.access_token);
    signedOut(null);
    tell("success", "Signed out.");
  });

  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    cursors = [null];
    attempt(() => showUsers(null));
  });
  $("next-page").addEventListener("click", () => {
    cursors.push(nextCursor);
    attempt(() => showUsers(nextCursor));
  });
  $("first-page").addEventListener("click", () => {
    cursors = [null];
    attempt(() => showUsers(null));
  });
  $("back").addEventListener("click", () => attempt(backToUsers));

  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = (id) => $(id).value.trim() || null;
    const roles = $("user-roles").value.split(",").map((role) => role.trim()).filter(Boolean);
    attempt(async () => {
      await api("PATCH", `/v1/admin/users/${current.id}`, {
        first_name: name("user-first-name"),
        last_name: name("user-last-name"),
        roles,
      });
      await showUser(current.id);
      tell("success", "Saved.");
    });
  });

  $("toggle-active").addEventListener("click", () =>
    attempt(async () => {
      const active = !current.is_active;
      await api("PATCH", `/v1/admin/users/${current.id}`, { is_active: active });
      await showUser(current.id);
      await showAudit(false);
      tell("success", active ? "The account is enabled." : "The account is disabled and signed out.");
    }),
  );

  $("revoke-all").addEventListener("click", () =>
    attempt(async () => {
      await api("DELETE", `/v1/admin/users/${current.id}/sessions`);
      await showUser(current.id);
      tell("success", "Every session of the account is signed out.");
    }),
  );

  // Deleting waits for the account's email, typed out: a slip of the mouse deletes nothing.
  $("delete-confirm").addEventListener("input", () => {
    $("delete-form").querySelector("button").disabled =
      !current || $("delete-confirm").value.trim() !== current.email;
  });
  $("delete-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!current || $("delete-confirm").value.trim() !== current.email) return;
    attempt(async () => {
      const email = current.email;
      await api("DELETE", `/v1/admin/users/${current.id}`);
      await backToUsers();
      await showAudit(false);
      tell("success", `${email} is deleted.`);
    });
  });

  $("more-audit").addEventListener("click", () => attempt(() => showAudit(true)));
})();
