#include "cli/users.hpp"

#include <termios.h>
#include <unistd.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/admin_json.hpp"
#include "cli/admin_tool.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace authd::cli {
namespace {

void print_user(const core::UserView& user, bool json) {
  if (json) {
    std::cout << boost::json::serialize(api::admin_user_json(user)) << "\n";
    return;
  }
  std::string roles;
  for (const auto& role : user.roles) roles += (roles.empty() ? "" : ", ") + role;
  std::cout << "id          " << user.id << "\n"
            << "email       " << user.email << "\n"
            << "name        " << user.first_name.value_or("") << " " << user.last_name.value_or("")
            << "\n"
            << "roles       " << roles << "\n"
            << "active      " << (user.is_active ? "yes" : "no") << "\n"
            << "created     " << util::to_iso8601(user.created_at) << "\n"
            << "last login  " << (user.last_login ? util::to_iso8601(*user.last_login) : "never")
            << "\n";
}

// The terminal's settings while echo is off, restored by the signal handler below if the
// operator interrupts the prompt (a shell left without echo is worse than the interruption).
termios g_saved_terminal{};

void restore_terminal_and_die(int signal) {
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);  // async-signal-safe
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

// One line without echo from the terminal.
std::optional<std::string> prompt_hidden(const char* question) {
  std::cerr << question << std::flush;
  if (::tcgetattr(STDIN_FILENO, &g_saved_terminal) != 0) return std::nullopt;
  termios quiet = g_saved_terminal;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP}) {
    std::signal(signal, restore_terminal_and_die);
  }
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string line;
  const bool read = static_cast<bool>(std::getline(std::cin, line));
  ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_terminal);
  for (const int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP}) {
    std::signal(signal, SIG_DFL);
  }
  std::cerr << "\n";
  if (!read) return std::nullopt;
  return line;
}

// The new account's password: never from the command line (argv is visible to every user of
// the machine). Standard input with --password-stdin (one trailing line end, \n or \r\n,
// dropped), otherwise asked twice on the terminal. A control character left in it (a second line
// end, a tab) is refused: it would be part of a password nobody can type at a login form.
std::optional<std::string> read_password(bool from_stdin) {
  if (from_stdin) {
    std::string password{std::istreambuf_iterator<char>(std::cin), {}};
    if (password.ends_with("\r\n")) {
      password.resize(password.size() - 2);
    } else if (password.ends_with('\n')) {
      password.pop_back();
    }
    if (util::has_control_characters(password)) {
      std::cerr << "authd users create: the password holds a control character (one line, "
                   "without a tab or a second line end)\n";
      return std::nullopt;
    }
    return password;
  }
  if (::isatty(STDIN_FILENO) == 0) {
    std::cerr << "authd users create: give the password on standard input with --password-stdin\n";
    return std::nullopt;
  }
  auto first = prompt_hidden("Password: ");
  if (!first) return std::nullopt;
  auto second = prompt_hidden("Password again: ");
  if (!second || *first != *second) {
    std::cerr << "authd users create: the passwords differ\n";
    return std::nullopt;
  }
  return first;
}

// What the parsed subcommands were given.
struct Arguments {
  std::string who;
  std::string role;
  std::string email;
  std::vector<std::string> roles;
  std::optional<std::string> first_name;
  std::optional<std::string> last_name;
  std::optional<std::string> email_change;
  bool clear_first_name = false;
  bool clear_last_name = false;
  std::string email_prefix;
  std::string role_filter;
  std::string active_filter;
  std::size_t limit = 50;
  std::int64_t cursor = 0;
  std::optional<std::string> session_id;
  bool password_stdin = false;
  bool json = false;
  // Each command's own (see main.cpp: CLI11 fills the environment into every command).
  std::map<const CLI::App*, GivenSettings> given;
};

int list_users(const AdminTool& tool, const Arguments& args) {
  store::UserQuery query{
      .email_key_prefix = args.email_prefix, .after_id = args.cursor, .limit = args.limit};
  if (!args.role_filter.empty()) query.role = args.role_filter;
  if (!args.active_filter.empty()) query.active = args.active_filter == "true";
  auto page = tool.admin->list(query);
  if (!page) return fail("users list", page.error());
  const auto next =
      page->next_after_id ? std::optional(std::to_string(*page->next_after_id)) : std::nullopt;
  if (args.json) {
    boost::json::array users;
    for (const auto& user : page->users) users.push_back(api::admin_user_json(user));
    std::cout << boost::json::serialize(
                     api::page_json("users", std::move(users), page->next_after_id))
              << "\n";
    return done;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& user : page->users) {
    std::string roles;
    for (const auto& role : user.roles) roles += (roles.empty() ? "" : ",") + role;
    rows.push_back({std::to_string(user.id), user.email, user.is_active ? "yes" : "no", roles,
                    user.last_login ? util::to_iso8601(*user.last_login) : "never"});
  }
  print_table({"ID", "EMAIL", "ACTIVE", "ROLES", "LAST LOGIN"}, rows);
  if (next) std::cerr << "more: --cursor " << *next << "\n";
  return done;
}

int print_sessions(const core::Result<std::vector<core::SessionView>>& sessions, bool json) {
  if (!sessions) return fail("users sessions list", sessions.error());
  if (json) {
    boost::json::array list;
    for (const auto& session : *sessions) list.push_back(api::admin_session_json(session));
    std::cout << boost::json::serialize(boost::json::object{{"sessions", std::move(list)}}) << "\n";
    return done;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& session : *sessions) {
    rows.push_back({session.id, store::family_name(session.family),
                    util::to_iso8601(session.created_at), util::to_iso8601(session.expires_at),
                    session.user_agent});
  }
  print_table({"ID", "KIND", "CREATED", "EXPIRES", "USER AGENT"}, rows);
  return done;
}

}  // namespace

std::function<std::optional<int>()> add_users_commands(CLI::App& app) {
  auto args = std::make_shared<Arguments>();
  CLI::App* users = app.add_subcommand("users", "Administer accounts (also while servers run)");
  users->require_subcommand(1);
  const auto who_argument = [&args](CLI::App* command) {
    command->add_option("USER", args->who, "The account: its id, or its email")->required();
  };

  CLI::App* create = users->add_subcommand(
      "create",
      "Create an account with the given roles (authd:admin included); prints its id. The "
      "password comes from standard input (--password-stdin) or is asked on the terminal");
  create->add_option("--email", args->email, "The account's email")->required();
  create->add_option("--role", args->roles, "A role to give (repeat for several; default: user)");
  create->add_option("--first-name", args->first_name, "First name");
  create->add_option("--last-name", args->last_name, "Last name");
  create->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  create->add_flag("--json", args->json, "Print the account as JSON");

  CLI::App* list = users->add_subcommand(
      "list",
      "List accounts in id order, a page at a time (a table, or with --json the admin API's "
      "{users, next_cursor}); --cursor takes the next_cursor of the page before");
  list->add_option("--email-prefix", args->email_prefix, "Only emails starting so (any case)");
  list->add_option("--role", args->role_filter, "Only holders of this role");
  list->add_option("--active", args->active_filter, "Only active (true) or inactive (false) ones")
      ->check(CLI::IsMember({"true", "false"}));
  list->add_option("--limit", args->limit, "Accounts per page")
      ->check(CLI::Range(std::size_t{1}, core::kMaxPageSize))
      ->capture_default_str();
  list->add_option("--cursor", args->cursor, "Where the page starts (a next_cursor)")
      ->check(CLI::PositiveNumber);
  list->add_flag("--json", args->json, "Print JSON");

  CLI::App* show = users->add_subcommand("show", "Print an account");
  who_argument(show);
  show->add_flag("--json", args->json, "Print the account as JSON");

  CLI::App* update = users->add_subcommand(
      "update",
      "Change an account's names or email (roles: users roles; activity: disable/enable)");
  who_argument(update);
  update->add_option("--first-name", args->first_name, "New first name");
  update->add_option("--last-name", args->last_name, "New last name");
  update->add_flag("--clear-first-name", args->clear_first_name, "Remove the first name");
  update->add_flag("--clear-last-name", args->clear_last_name, "Remove the last name");
  update->add_option("--email", args->email_change, "New email (checked as at registration)");

  CLI::App* remove = users->add_subcommand(
      "delete",
      "Delete an account with its roles and sessions (its tokens stop working at once; its email "
      "may register again; the audit trail keeps its id, not its email)");
  who_argument(remove);

  CLI::App* disable = users->add_subcommand(
      "disable",
      "Deactivate an account: every login is refused and every session of it ends at once, on "
      "every instance (enabling it again revives none of them)");
  who_argument(disable);
  CLI::App* enable = users->add_subcommand("enable", "Activate a deactivated account");
  who_argument(enable);

  CLI::App* roles = users->add_subcommand("roles", "Give or take an account's roles");
  roles->require_subcommand(1);
  CLI::App* add_role = roles->add_subcommand("add", "Give the account an existing role");
  CLI::App* remove_role = roles->add_subcommand("remove", "Take a role from the account");
  for (CLI::App* command : {add_role, remove_role}) {
    who_argument(command);
    command->add_option("ROLE", args->role, "The role's name")->required();
  }

  CLI::App* sessions = users->add_subcommand("sessions", "List or end an account's sessions");
  sessions->require_subcommand(1);
  CLI::App* list_sessions =
      sessions->add_subcommand("list", "The account's live sessions, oldest first");
  who_argument(list_sessions);
  list_sessions->add_flag("--json", args->json, "Print JSON");
  CLI::App* revoke_sessions = sessions->add_subcommand(
      "revoke",
      "End every session of the account (or, with --session, one) at once, on every instance");
  who_argument(revoke_sessions);
  revoke_sessions->add_option("--session", args->session_id,
                              "End only this session (an ID that sessions list prints)");

  CLI::App* unlock = users->add_subcommand(
      "unlock",
      "Forget an account's failed-login counts (all networks, consecutive failures): for an "
      "owner locked out by the cap of 100 consecutive failures");
  unlock->add_option("EMAIL", args->who, "The account's email")->required();

  for (CLI::App* command : {create, list, show, update, remove, disable, enable, add_role,
                            remove_role, list_sessions, revoke_sessions, unlock}) {
    // Creating an account checks and hashes its password as the servers do.
    add_settings(*command, command == create ? SettingScope::accounts : SettingScope::store,
                 args->given[command]);
  }

  // --json on every command that prints an account.
  for (CLI::App* command : {update, disable, enable, add_role, remove_role}) {
    command->add_flag("--json", args->json, "Print the account as JSON");
  }

  return [=]() -> std::optional<int> {
    // Standard output carries the answer alone (an id, an account) for scripts; the log, with
    // the security events the changes record, goes to standard error.
    log_to_stderr();
    const core::Actor cli = core::Actor::cli();
    const auto answer = [&](std::string_view command,
                            const core::Result<core::UserView>& user) -> int {
      if (!user) return fail(std::string("users ").append(command), user.error());
      print_user(*user, args->json);
      return done;
    };
    if (create->parsed()) {
      auto password = read_password(args->password_stdin);
      if (!password) return refused;
      AdminTool tool(args->given[create]);
      auto user = tool.admin->create(cli, {.email = args->email,
                                           .password = std::move(*password),
                                           .first_name = args->first_name,
                                           .last_name = args->last_name,
                                           .requested_roles = args->roles});
      if (!user) return fail("users create", user.error());
      if (args->json) {
        print_user(*user, true);
      } else {
        std::cout << user->id << "\n";
      }
      return done;
    }
    if (list->parsed()) return list_users(AdminTool(args->given[list]), *args);
    if (show->parsed()) return answer("show", AdminTool(args->given[show]).admin->find(args->who));
    if (disable->parsed()) {
      return answer("disable",
                    AdminTool(args->given[disable]).admin->set_active(cli, args->who, false));
    }
    if (enable->parsed()) {
      return answer("enable",
                    AdminTool(args->given[enable]).admin->set_active(cli, args->who, true));
    }
    if (add_role->parsed()) {
      return answer("roles add",
                    AdminTool(args->given[add_role]).admin->add_role(cli, args->who, args->role));
    }
    if (remove_role->parsed()) {
      return answer(
          "roles remove",
          AdminTool(args->given[remove_role]).admin->remove_role(cli, args->who, args->role));
    }
    if (update->parsed()) {
      core::AccountChanges changes;
      if (args->first_name) changes.first_name = args->first_name;
      if (args->last_name) changes.last_name = args->last_name;
      if (args->clear_first_name) changes.first_name.emplace(std::nullopt);
      if (args->clear_last_name) changes.last_name.emplace(std::nullopt);
      changes.email = args->email_change;
      return answer("update",
                    AdminTool(args->given[update]).admin->update(cli, args->who, changes));
    }
    if (remove->parsed()) {
      auto deleted = AdminTool(args->given[remove]).admin->remove(cli, args->who);
      if (!deleted) return fail("users delete", deleted.error());
      std::cout << "deleted\n";
      return done;
    }
    if (list_sessions->parsed()) {
      return print_sessions(AdminTool(args->given[list_sessions]).admin->sessions(args->who),
                            args->json);
    }
    if (revoke_sessions->parsed()) {
      AdminTool tool(args->given[revoke_sessions]);
      if (args->session_id) {
        auto revoked = tool.admin->revoke_session(cli, args->who, *args->session_id);
        if (!revoked) return fail("users sessions revoke", revoked.error());
        std::cout << "1 session ended\n";
        return done;
      }
      auto revoked = tool.admin->revoke_sessions(cli, args->who);
      if (!revoked) return fail("users sessions revoke", revoked.error());
      std::cout << *revoked << " sessions ended\n";
      return done;
    }
    if (unlock->parsed()) {
      AdminTool tool(args->given[unlock]);
      auto unlocked = tool.admin->unlock(cli, args->who);
      if (!unlocked) return fail("users unlock", unlocked.error());
      std::cout << "unlocked: the account's failed-login counts are forgotten (a network locked "
                   "out of it by its own failures stays locked until its lock ends)\n";
      return done;
    }
    return std::nullopt;
  };
}

}  // namespace authd::cli
