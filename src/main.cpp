// authd: wires the command line to the library; all logic lives in authd_lib.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/serve.hpp"

int main(int argc, char** argv) {
  CLI::App app{"authd: an authentication server speaking several auth API dialects"};
  app.require_subcommand(1);
  authd::cli::ServeOptions options;
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP server");
  authd::cli::add_serve_options(*serve, options);
  app.add_subcommand("version", "Print the version")->callback([] {
    std::cout << "authd " << AUTHD_VERSION << "\n";
  });
  CLI11_PARSE(app, argc, argv);

  if (!serve->parsed()) return 0;
  try {
    return authd::cli::serve(options);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
