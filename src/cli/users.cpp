#include "cli/users.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
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

#include "cli/serve.hpp"
#include "core/auth_service.hpp"
#include "core/derived_keys.hpp"
#include "core/user_admin.hpp"
#include "util/text.hpp"
#include "util/time.hpp"

namespace authd::cli {
namespace {

enum Exit : int { done = 0, store_failed = 1, refused = 2, not_found = 3, conflict = 4 };

// The store and the core services an offline command needs; creates nothing (a mistyped
// --database is an error, not a new database).
struct UserTool {
  explicit UserTool(const GivenSettings& given) : config(resolve(given, /*serving=*/false)) {
    load_existing_secrets(config);
    config.auth.throttle_key = core::throttle_key(config.key_encryption_key);
    store = open_store(config, store::OpenMode::existing);
    auth = std::make_unique<core::AuthService>(
        *store, crypto::PasswordHasher(config.password_hashing), clock, config.auth);
    admin = std::make_unique<core::UserAdmin>(*store, *auth, clock);
  }

  ServeConfig config;
  core::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<core::AuthService> auth;
  std::unique_ptr<core::UserAdmin> admin;
};

int exit_code(core::AuthError error) {
  switch (error) {
    case core::AuthError::user_not_found:
    case core::AuthError::role_not_found:
      return not_found;
    case core::AuthError::email_taken:
      return conflict;
    case core::AuthError::store_unavailable:
    case core::AuthError::internal:
      return store_failed;
    default:
      return refused;
  }
}

int fail(std::string_view command, const core::AuthFailure& failure) {
  std::string reason = make_error_code(failure.code).message();
  if (failure.limit > 0) reason += " (limit " + std::to_string(failure.limit) + ")";
  std::cerr << "authd users " << command << ": " << reason << "\n";
  return exit_code(failure.code);
}

boost::json::object user_json(const core::UserView& user) {
  boost::json::array roles;
  for (const auto& role : user.roles) roles.emplace_back(role);
  const auto text = [](const std::optional<std::string>& value) -> boost::json::value {
    return value ? boost::json::value(*value) : boost::json::value(nullptr);
  };
  return {{"id", user.id},
          {"email", user.email},
          {"first_name", text(user.first_name)},
          {"last_name", text(user.last_name)},
          {"roles", std::move(roles)},
          {"is_active", user.is_active},
          {"created_at", util::to_iso8601(user.created_at)},
          {"last_login", user.last_login ? boost::json::value(util::to_iso8601(*user.last_login))
                                         : boost::json::value(nullptr)}};
}

void print_user(const core::UserView& user, bool json) {
  if (json) {
    std::cout << boost::json::serialize(user_json(user)) << "\n";
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
  bool password_stdin = false;
  bool json = false;
  // Each command's own (see main.cpp: CLI11 fills the environment into every command).
  std::map<const CLI::App*, GivenSettings> given;
};

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

  CLI::App* show = users->add_subcommand("show", "Print an account");
  who_argument(show);
  show->add_flag("--json", args->json, "Print the account as JSON");

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

  CLI::App* unlock = users->add_subcommand(
      "unlock",
      "Forget an account's failed-login counts (all networks, consecutive failures): for an "
      "owner locked out by the cap of 100 consecutive failures");
  unlock->add_option("EMAIL", args->who, "The account's email")->required();

  for (CLI::App* command : {create, show, disable, enable, add_role, remove_role, unlock}) {
    // Creating an account checks and hashes its password as the servers do.
    add_settings(*command, command == create ? SettingScope::accounts : SettingScope::store,
                 args->given[command]);
  }

  // --json on every command that prints an account.
  for (CLI::App* command : {disable, enable, add_role, remove_role}) {
    command->add_flag("--json", args->json, "Print the account as JSON");
  }

  return [=]() -> std::optional<int> {
    // Standard output carries the answer alone (an id, an account) for scripts; the log, with
    // the security events the changes record, goes to standard error.
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "authd", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
    const auto answer = [&](std::string_view command,
                            const core::Result<core::UserView>& user) -> int {
      if (!user) return fail(command, user.error());
      print_user(*user, args->json);
      return done;
    };
    if (create->parsed()) {
      auto password = read_password(args->password_stdin);
      if (!password) return refused;
      UserTool tool(args->given[create]);
      auto user = tool.admin->create({.email = args->email,
                                      .password = std::move(*password),
                                      .first_name = args->first_name,
                                      .last_name = args->last_name,
                                      .requested_roles = args->roles});
      if (!user) return fail("create", user.error());
      if (args->json) {
        print_user(*user, true);
      } else {
        std::cout << user->id << "\n";
      }
      return done;
    }
    if (show->parsed()) return answer("show", UserTool(args->given[show]).admin->find(args->who));
    if (disable->parsed()) {
      return answer("disable", UserTool(args->given[disable]).admin->set_active(args->who, false));
    }
    if (enable->parsed()) {
      return answer("enable", UserTool(args->given[enable]).admin->set_active(args->who, true));
    }
    if (add_role->parsed()) {
      return answer("roles add",
                    UserTool(args->given[add_role]).admin->add_role(args->who, args->role));
    }
    if (remove_role->parsed()) {
      return answer("roles remove",
                    UserTool(args->given[remove_role]).admin->remove_role(args->who, args->role));
    }
    if (unlock->parsed()) {
      UserTool tool(args->given[unlock]);
      auto unlocked = tool.auth->unlock(args->who);
      if (!unlocked) return fail("unlock", unlocked.error());
      std::cout << "unlocked: the account's failed-login counts are forgotten (a network locked "
                   "out of it by its own failures stays locked until its lock ends)\n";
      return done;
    }
    return std::nullopt;
  };
}

}  // namespace authd::cli
