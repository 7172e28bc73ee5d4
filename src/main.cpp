// authd: wires the command line to the library; all logic lives in authd_lib.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/audit.hpp"
#include "cli/import.hpp"
#include "cli/keys.hpp"
#include "cli/roles.hpp"
#include "cli/serve.hpp"
#include "cli/users.hpp"

int main(int argc, char** argv) {
  CLI::App app{"authd: an authentication server speaking several auth API dialects"};
  app.require_subcommand(1);
  using authd::cli::SettingScope;
  // Each command has its own map of given settings: CLI11 2.1 reads the environment into the
  // options of every command, parsed or not, so a shared map would let a variable overwrite a
  // flag given to the command that runs.
  authd::cli::GivenSettings serve_settings, list_settings, rotate_settings, revoke_settings;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server");
  authd::cli::add_settings(*serve, SettingScope::serve, serve_settings);
  app.add_subcommand("version", "Print the version")->callback([] {
    std::cout << "authd " << AUTHD_VERSION << "\n";
  });

  // The offline commands take only the settings that locate the store and its key-encryption key.
  CLI::App* keys = app.add_subcommand("keys", "Manage the /v1 token signing keys");
  keys->require_subcommand(1);
  CLI::App* list = keys->add_subcommand("list", "List the signing keys and their states");
  authd::cli::add_settings(*list, SettingScope::store, list_settings);
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "Add a signing key: published in the JWKS at once, signing after a delay");
  authd::cli::add_settings(*rotate, SettingScope::store, rotate_settings);
  std::int64_t activate_in = 3600;
  rotate
      ->add_option("--activate-in", activate_in,
                   "Seconds until the new key signs; at least 330 (every client's JWKS cache, "
                   "max-age 300, and the servers' 30 s key reload) unless --force")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{30} * 86400))
      ->capture_default_str();
  bool force = false;
  rotate->add_flag("--force", force, "Allow an activation delay shorter than 330 s");
  CLI::App* revoke = keys->add_subcommand(
      "revoke",
      "Withdraw a compromised key: it leaves the JWKS and every token it signed is refused at "
      "once, on every instance; if it was signing, a new key signs from now on");
  authd::cli::add_settings(*revoke, SettingScope::store, revoke_settings);
  std::string revoke_kid;
  revoke->add_option("KID", revoke_kid, "The key's id (authd keys list)")->required();

  const auto run_users_command = authd::cli::add_users_commands(app);
  const auto run_roles_command = authd::cli::add_roles_commands(app);
  const auto run_audit_command = authd::cli::add_audit_commands(app);
  const auto run_import_command = authd::cli::add_import_command(app);

  CLI11_PARSE(app, argc, argv);
  // `authd serve` may create the data folder, the database or a secret file: none of it is for
  // other users.
  ::umask(077);

  try {
    if (serve->parsed()) return authd::cli::serve(serve_settings);
    if (list->parsed()) return authd::cli::list_keys(list_settings);
    if (rotate->parsed()) {
      return authd::cli::rotate_keys(rotate_settings, std::chrono::seconds(activate_in), force);
    }
    if (revoke->parsed()) return authd::cli::revoke_key(revoke_settings, revoke_kid);
    if (const auto status = run_users_command()) return *status;
    if (const auto status = run_roles_command()) return *status;
    if (const auto status = run_audit_command()) return *status;
    if (const auto status = run_import_command()) return *status;
    return 0;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
