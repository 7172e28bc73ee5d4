#include "cli/roles.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "api/admin_json.hpp"
#include "cli/admin_tool.hpp"

namespace authd::cli {
namespace {

struct Arguments {
  std::string name;
  bool force = false;
  bool json = false;
  std::map<const CLI::App*, GivenSettings> given;  // each command's own
};

int list_roles(AdminTool tool, bool json) {
  auto roles = tool.admin->roles();
  if (!roles) return fail("roles list", roles.error());
  if (json) {
    boost::json::array list;
    for (const auto& role : *roles) list.push_back(api::role_json(role));
    std::cout << boost::json::serialize(boost::json::object{{"roles", std::move(list)}}) << "\n";
    return done;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& role : *roles) rows.push_back({role.name, std::to_string(role.users)});
  print_table({"ROLE", "USERS"}, rows);
  return done;
}

}  // namespace

std::function<std::optional<int>()> add_roles_commands(CLI::App& app) {
  auto args = std::make_shared<Arguments>();
  CLI::App* roles = app.add_subcommand("roles", "Administer the roles accounts may hold");
  roles->require_subcommand(1);
  CLI::App* list = roles->add_subcommand("list", "Every role, with how many accounts hold it");
  list->add_flag("--json", args->json, "Print JSON");
  CLI::App* create = roles->add_subcommand(
      "create",
      "Create a role: 1 to 64 ASCII letters, digits and . _ - : (names starting with authd: are "
      "authd's own)");
  CLI::App* remove = roles->add_subcommand(
      "delete", "Delete a role; one that accounts hold only with --force (it is taken from them)");
  for (CLI::App* command : {create, remove}) {
    command->add_option("ROLE", args->name, "The role's name")->required();
  }
  remove->add_flag("--force", args->force, "Delete it even if accounts hold it");
  for (CLI::App* command : {list, create, remove}) {
    add_settings(*command, SettingScope::store, args->given[command]);
  }

  return [=]() -> std::optional<int> {
    log_to_stderr();
    if (list->parsed()) return list_roles(AdminTool(args->given[list]), args->json);
    if (create->parsed()) {
      auto created =
          AdminTool(args->given[create]).admin->create_role(core::Actor::cli(), args->name);
      if (!created) return fail("roles create", created.error());
      std::cout << "created " << args->name << "\n";
      return done;
    }
    if (remove->parsed()) {
      auto deleted = AdminTool(args->given[remove])
                         .admin->delete_role(core::Actor::cli(), args->name, args->force);
      if (!deleted) return fail("roles delete", deleted.error());
      std::cout << "deleted " << args->name << "\n";
      return done;
    }
    return std::nullopt;
  };
}

}  // namespace authd::cli
