#include "cli/audit.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <memory>
#include <string>

#include "api/admin_json.hpp"
#include "cli/admin_tool.hpp"
#include "util/time.hpp"

namespace authd::cli {
namespace {

struct Arguments {
  std::size_t limit = 50;
  std::int64_t cursor = 0;
  bool json = false;
  GivenSettings given;
};

int list_audit(AdminTool tool, const Arguments& args) {
  auto page = tool.admin->audit(args.cursor, args.limit);
  if (!page) return fail("audit list", page.error());
  const auto next =
      page->next_before_id ? std::optional(std::to_string(*page->next_before_id)) : std::nullopt;
  if (args.json) {
    boost::json::array events;
    for (const auto& event : page->events) events.push_back(api::audit_event_json(event));
    std::cout << boost::json::serialize(
                     api::page_json("events", std::move(events), page->next_before_id))
              << "\n";
    return done;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& event : page->events) {
    rows.push_back({std::to_string(event.id), util::to_iso8601(event.at), event.actor, event.action,
                    event.target_user_id ? std::to_string(*event.target_user_id) : "-",
                    event.client.value_or("-"), event.outcome, event.detail.value_or("")});
  }
  print_table({"ID", "AT", "ACTOR", "ACTION", "TARGET", "CLIENT", "OUTCOME", "DETAIL"}, rows);
  if (next) std::cerr << "more: --cursor " << *next << "\n";
  return done;
}

}  // namespace

std::function<std::optional<int>()> add_audit_commands(CLI::App& app) {
  auto args = std::make_shared<Arguments>();
  CLI::App* audit = app.add_subcommand("audit", "Read the audit trail");
  audit->require_subcommand(1);
  CLI::App* list = audit->add_subcommand(
      "list",
      "Who did what to whom, when, from where, and how it ended, newest first (a table, or with "
      "--json the admin API's {events, next_cursor})");
  list->add_option("--limit", args->limit, "Rows per page")
      ->check(CLI::Range(std::size_t{1}, core::kMaxPageSize))
      ->capture_default_str();
  list->add_option("--cursor", args->cursor, "Where the page starts (a next_cursor)")
      ->check(CLI::PositiveNumber);
  list->add_flag("--json", args->json, "Print JSON");
  add_settings(*list, SettingScope::store, args->given);

  return [=]() -> std::optional<int> {
    if (!list->parsed()) return std::nullopt;
    log_to_stderr();
    return list_audit(AdminTool(args->given), *args);
  };
}

}  // namespace authd::cli
