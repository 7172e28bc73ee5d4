// The admin console: a client of the /v1 admin API with no powers of its own. The session's
// tokens live in this script's memory only (never localStorage, never a cookie): closing,
// reloading or leaving the page signs out, and there is nothing for another site to forge a
// request with. Every value from the server is set as text, never as HTML.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const outcome = $("outcome");
  const pageSize = 20;

  let tokens = null;     // {access_token, refresh_token} while signed in
  let refreshing = null;  // the renewal in flight: concurrent 401s share it (tokens rotate)
  let signOuts = 0;       // a request's answer is dropped if a sign-out came before it
  let prefix = "";        // the email prefix of the search shown
  let cursors = [null];   // the cursor of each page shown so far; the last one is the current page
  let nextCursor = null;
  let auditCursor = null;
  let current = null;   // the user open in the detail view
  let shownUser = 0;    // the latest showUser call: an older one's answer is dropped
  let busy = false;     // one action at a time: a press while one runs is ignored (a double
                        // click must not disable, then enable again)

  const tell = (kind, message) => {
    const paragraph = document.createElement("p");
    paragraph.className = kind;
    paragraph.textContent = message;
    outcome.replaceChildren(paragraph);
  };

  const when = (iso) => (iso ? new Date(iso).toLocaleString() : "never");

  // A table row whose cells are text, or elements (a button).
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

  // Back to the sign-in form, with nothing of the last session left on the page.
  const signedOut = (message) => {
    ++signOuts;
    busy = false;  // an action of the last session still waiting for its answer holds nothing
    tokens = null;
    refreshing = null;
    current = null;
    prefix = "";
    cursors = [null];
    auditCursor = null;
    for (const id of ["user-table", "session-table", "audit-table"]) {
      $(id).tBodies[0].replaceChildren();
    }
    for (const id of ["search-form", "user-form", "delete-form", "signin-form"]) $(id).reset();
    $("console").hidden = true;
    $("user").hidden = true;
    $("signin").hidden = false;
    if (message) tell("failure", message);
    $("signin-email").focus();
  };

  const renew = () => {
    if (refreshing) return refreshing;
    const signOutsBefore = signOuts;
    const renewal = send("POST", "/v1/sessions/refresh", { refresh_token: tokens.refresh_token })
      .then(async (response) => {
        if (!response.ok) throw new ApiError(response.status, {});
        const renewed = await response.json();
        if (signOuts === signOutsBefore) tokens = renewed;
      })
      .finally(() => {
        if (refreshing === renewal) refreshing = null;  // not a later session's renewal
      });
    refreshing = renewal;
    return renewal;
  };

  // Calls the admin API; an expired access token is renewed once with the refresh token.
  // An answer to a request made before a sign-out is dropped as a 401 (which `attempt` passes
  // over in silence): it must not put the last session's data back on the page.
  const api = async (method, path, body) => {
    const signOutsBefore = signOuts;
    const stillSignedIn = () => {
      if (signOuts !== signOutsBefore) throw new ApiError(401, { title: "signed out" });
    };
    const bearer = tokens?.access_token;
    let response = await send(method, path, body, bearer);
    stillSignedIn();
    if (response.status === 401 && tokens) {
      try {
        if (tokens.access_token === bearer) await renew();
      } catch {
        stillSignedIn();
        signedOut("Your session ended. Sign in again.");
        throw new ApiError(401, { title: "signed out" });
      }
      stillSignedIn();
      response = await send(method, path, body, tokens.access_token);
      stillSignedIn();
    }
    const answer = await parse(response);
    stillSignedIn();
    return answer;
  };

  // Runs `work` unless another is running, telling the person when it fails; true when it
  // succeeded.
  const attempt = async (work) => {
    if (busy) return false;
    busy = true;
    const signOutsBefore = signOuts;
    try {
      await work();
      return true;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        tell("failure", error instanceof ApiError ? error.message
                                                  : "The server could not be reached. Try again.");
      }
      return false;
    } finally {
      if (signOuts === signOutsBefore) busy = false;  // else a new session's action may hold it
    }
  };

  // Shows the last page of `pages` (cursors from the first page on) of the users whose email
  // starts with `search`. The list, and what it remembers of how it got there, change together
  // and only with an answer: a failed request leaves the list as it was.
  const showUsers = async (pages, search = prefix) => {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (search) query.set("email_prefix", search);
    if (pages.at(-1)) query.set("cursor", pages.at(-1));
    const list = await api("GET", `/v1/admin/users?${query}`);
    prefix = search;
    cursors = pages;
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
    // A button about to be disabled gives its focus to the list first.
    if (nextCursor === null && document.activeElement === $("next-page")) {
      $("users-heading").focus();
    }
    $("next-page").disabled = nextCursor === null;
    $("first-page").disabled = cursors.length <= 1;
    tell("success", `${list.users.length} user(s) on this page.`);
  };

  const showUser = async (id) => {
    const mine = ++shownUser;
    const user = await api("GET", `/v1/admin/users/${encodeURIComponent(id)}`);
    const sessions = await api("GET", `/v1/admin/users/${encodeURIComponent(id)}/sessions`);
    if (mine !== shownUser) return;  // another user was opened meanwhile
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
    $("session-table").tBodies[0].replaceChildren(
      ...sessions.sessions.map((session) => {
        const started = when(session.created_at);
        // The administrator may be looking at their own account: signing this console's own
        // session out signs them out of the console.
        const own = session.id === tokens?.session_id;
        const end = document.createElement("button");
        end.type = "button";
        end.className = "secondary";
        end.textContent = own ? "Sign out (this console)" : "Sign out";
        // Each row's button names its session for a screen reader, which reads buttons alone.
        end.setAttribute(
          "aria-label",
          `Sign out the session of ${session.user_agent || "an unnamed client"} started ${started}` +
            (own ? ", this console's own" : ""),
        );
        end.addEventListener("click", () => attempt(() => endSession(user.id, session.id)));
        return row([
          session.kind === "rotating" ? "API session" : "Seed session",
          started,
          when(session.last_used_at),
          when(session.expires_at),
          session.user_agent,
          end,
        ]);
      }),
    );
    outcome.replaceChildren();  // what was said of the list is not said of this user
    if ($("user").hidden) {
      $("users").hidden = true;
      $("user").hidden = false;
      $("user-heading").focus();
    }
  };

  // Ends one session. The focus, on the button that goes away with its row, moves to the
  // heading of the sessions first; a session that ended meanwhile is said so, and the list is
  // read again either way.
  const endSession = async (id, sessionId) => {
    let ended = true;
    try {
      await api("DELETE", `/v1/admin/users/${id}/sessions/${encodeURIComponent(sessionId)}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.type === "urn:authd:problem:session-not-found")) {
        throw error;
      }
      ended = false;
    }
    $("sessions-heading").focus();
    const said = ended ? "The session is signed out." : "That session had already ended.";
    try {
      await showUser(id);
      await showAudit(false);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) throw error;  // signed out
      tell("failure", `${said} The page could not be brought up to date: ${error.message}`);
      return;
    }
    tell("success", said);
  };

  // The list reloads before it shows: an out-of-date one (a deleted user's row) is never
  // offered, and nothing pressed on it is ignored while it loads. If it cannot reload, the
  // person stays where they were and is told.
  const backToUsers = async () => {
    ++shownUser;
    await showUsers(cursors);
    current = null;
    $("user").hidden = true;
    $("users").hidden = false;
    $("users-heading").focus();
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
    if (auditCursor === null && document.activeElement === $("more-audit")) {
      $("audit-heading").focus();
    }
    $("more-audit").disabled = auditCursor === null;
  };

  const signInRefusal = (status) =>
    status === 401 ? "Those are not the credentials of an account."
    : status === 429 ? "Too many attempts: wait, then try again."
    : `The server could not sign you in (${status}). Try again in a moment.`;

  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("signin-form").querySelector("button");
    if (button.disabled) return;
    button.disabled = true;
    const email = $("signin-email").value.trim();
    try {
      const response = await send("POST", "/v1/sessions", {
        email,
        password: $("signin-password").value,
      });
      $("signin-password").value = "";
      if (!response.ok) {
        tell("failure", signInRefusal(response.status));
        return;
      }
      tokens = await response.json();
      try {
        await showUsers([null]);
      } catch (error) {
        if (!tokens) return;  // it ended meanwhile (a failed renewal): the sign-in form says so
        // Not an administrator (403), or the list failed: the session is of no use here.
        await send("DELETE", "/v1/sessions/current", undefined, tokens.access_token).catch(
          () => {},
        );
        signedOut(error instanceof ApiError && error.status === 403
                    ? "This account is not an administrator."
                    : `The console could not load: ${error.message}`);
        return;
      }
      // The audit trail loads before the console shows: a search typed the moment it appears
      // must not find an action still running and be ignored.
      await attempt(() => showAudit(false));
      if (!tokens) return;  // the session ended meanwhile: the sign-in form is back
      $("signed-in-as").textContent = `Signed in as ${email}`;
      $("signin").hidden = true;
      $("console").hidden = false;
      $("users").hidden = false;
      $("user").hidden = true;
      $("search-email").focus();
    } catch {
      tell("failure", "The server could not be reached. Try again.");
    } finally {
      button.disabled = false;
    }
  });

  const signOut = async () => {
    try {
      if (tokens) await api("DELETE", "/v1/sessions/current");
    } catch {
      // Signed out here whatever the server said; its session expires on its own.
    } finally {
      signedOut(null);
      tell("success", "Signed out.");
    }
  };
  $("signout").addEventListener("click", signOut);
  // Leaving the page ends the session: a page restored from the back/forward cache must not
  // come back signed in.
  window.addEventListener("pagehide", () => {
    if (tokens) {
      send("DELETE", "/v1/sessions/current", undefined, tokens.access_token).catch(() => {});
      signedOut(null);
    }
  });

  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    attempt(() => showUsers([null], $("search-email").value.trim()));
  });
  $("next-page").addEventListener("click", () =>
    attempt(() => showUsers([...cursors, nextCursor])),
  );
  $("first-page").addEventListener("click", () =>
    attempt(async () => {
      if (document.activeElement === $("first-page")) $("users-heading").focus();
      await showUsers([null]);
    }),
  );
  $("back").addEventListener("click", () => attempt(backToUsers));

  $("user-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const name = (id) => $(id).value.trim() || null;
    const roles = $("user-roles").value.split(",").map((role) => role.trim()).filter(Boolean);
    attempt(async () => {
      const { id } = current;
      await api("PATCH", `/v1/admin/users/${id}`, {
        first_name: name("user-first-name"),
        last_name: name("user-last-name"),
        roles,
      });
      await showUser(id);
      tell("success", "Saved.");
    });
  });

  $("toggle-active").addEventListener("click", () =>
    attempt(async () => {
      const { id, is_active: wasActive } = current;
      await api("PATCH", `/v1/admin/users/${id}`, { is_active: !wasActive });
      await showUser(id);
      await showAudit(false);
      tell("success", wasActive ? "The account is disabled and signed out."
                                : "The account is enabled.");
    }),
  );

  $("revoke-all").addEventListener("click", () =>
    attempt(async () => {
      const { id } = current;
      await api("DELETE", `/v1/admin/users/${id}/sessions`);
      await showUser(id);
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
      const { id, email } = current;
      await api("DELETE", `/v1/admin/users/${id}`);
      try {
        await backToUsers();
        await showAudit(false);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) throw error;  // signed out
        tell("failure", `${email} is deleted. The list could not be brought up to date: ` +
                        error.message);
        return;
      }
      tell("success", `${email} is deleted.`);
    });
  });

  $("more-audit").addEventListener("click", () => attempt(() => showAudit(true)));
})();
